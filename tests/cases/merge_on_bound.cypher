CREATE (:A {k: 1})
;
MATCH (a:A) MERGE (a)-[:HAS]->(b:B {k: 2}) RETURN a.k, b.k
