MATCH (n:Person {name: 'Ann'})-[:KNOWS]->(m) WHERE m.age > 30 RETURN m.name AS name ORDER BY name DESC, m.age SKIP 1 LIMIT 10
----
OPTIONAL MATCH (a)-[r:A|B|:C*1..3]-(b) RETURN DISTINCT *
----
MATCH (a)-[*]->(b), (a)-[*2]->(c), (a)-[*..5]->(d), (a)-[*3..]->(e) RETURN *, a
----
MATCH p = shortestPath((a:A)-[:R*]-(b:B)), q = allShortestPaths((a)-->(b)) RETURN p, q
----
MATCH (n) WITH n, n.x AS x WHERE x > 1 WITH DISTINCT x ORDER BY x LIMIT 3 RETURN x
----
UNWIND [1, 2, 3] AS x RETURN x UNION ALL RETURN 4 AS x
----
RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a
----
UNWIND $rows AS r CREATE (:Person {name: r.name})-[:LIVES_IN {since: r.year}]->(c:City $props)
----
MERGE (n:Person {id: 1}) ON CREATE SET n.created = 1, n += {a: 1} ON MATCH SET n.seen = n.seen + 1, n:Seen
----
MATCH (n) SET n.x = 1, n = {y: 2}, n += $m, n:A:B REMOVE n.x, n:A DETACH DELETE n
----
MATCH (n)-[r]->() DELETE r, n
----
CALL db.labels() YIELD label AS l, other WHERE l STARTS WITH 'P' RETURN l
----
CALL algo.pageRank
----
CALL test.my.proc('Stefan', 1) YIELD *
----
EXPLAIN MATCH (n) RETURN count(*)
----
PROFILE MATCH (n) RETURN n;
----
match (N:person) return n.Name as `the name`
----
// a comment
MATCH /* inline */ (n) // trailing
RETURN n
