CREATE (:A {v: 1})-[:R {w: 2}]->(:B {v: 3})
;
MATCH p = (:A)-[:R]->(:B) RETURN p
