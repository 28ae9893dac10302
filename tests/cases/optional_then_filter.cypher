CREATE (:A {v: 1}), (:A {v: 2})-[:R]->(:B {w: 5})
;
MATCH (a:A) OPTIONAL MATCH (a)-[:R]->(b) WHERE b.w > 3 RETURN a.v, b.w
