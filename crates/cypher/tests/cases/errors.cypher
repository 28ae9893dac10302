MATCH (n:Person RETURN n
----
MATCH (n) RETURN
----
MATCH (n)
RETURN n,
----
MATCH (n $param) RETURN n
----
MERGE (a)-[r:FOO $param]->(b) RETURN r
----
CREATE ()-->()
----
CREATE ()-[:A|:B]->()
----
MERGE (a)-[NO_COLON]->(b)
----
CREATE (a)-[:FOO]-(b)
----
CREATE ()-[:FOO*2]->()
----
MATCH (a)-[:LIKES..]->(c) RETURN c
----
MATCH (a)-[:LIKES*-2]->(c) RETURN c
----
MATCH (n) DELETE n:Person
----
MATCH (a) WITH a, count(*) RETURN a
----
CALL test.my.proc(null) YIELD a, b AS a RETURN a
----
CALL test.my.proc('Stefan', 1) YIELD * RETURN city
----
MATCH p = (p)-[]-() RETURN p
----
CREATE (n:Foo)-[:T1]->(), (n:Bar)-[:T2]->()
----
MATCH (n) RETURN (n)-[]->()
----
MATCH (a), (b) RETURN size((a)-->(b))
----
MATCH (n) WHERE exists { MATCH (n)-->(m) SET m.prop = 'fail' } RETURN n
----
RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a
----
MATCH (n) RETURN n /* unterminated
----
RETURN `unterminated
----
	RETURN	 $
----
MATCH (n) RETRUN n
----
MATCH (n) WHERE n.x = 1 ADN n.y = 2 RETURN n
