CREATE (:A)-[:R]->(:B)
;
MATCH ()-[r:R]->() DELETE r RETURN count(*) AS c
