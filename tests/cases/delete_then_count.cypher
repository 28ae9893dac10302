CREATE (:A)-[:R]->(:B), (:A)
;
MATCH (a:A) DETACH DELETE a
;
MATCH (n) RETURN count(n) AS c
