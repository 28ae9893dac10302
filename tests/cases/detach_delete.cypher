CREATE (:A)-[:R]->(:B), (:A)
;
MATCH (a:A) DETACH DELETE a
