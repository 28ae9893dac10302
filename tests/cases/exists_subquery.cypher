CREATE (:A {v: 1})-[:R]->(:B), (:A {v: 2})
;
MATCH (a:A) WHERE exists((a)-[:R]->()) RETURN a.v
