CREATE (:A)-[:R]->(:B)
;
MATCH (a:A) DELETE a
