CREATE (:A {k: 1}), (:B {k: 2})
;
MATCH (a:A), (b:B) MERGE (a)-[r:R]->(b)
;
MATCH (a:A), (b:B) MERGE (a)-[r:R]->(b) RETURN count(r) AS c
