UNWIND range(1, 50) AS i CREATE (:Big {i: i})
;
CREATE (:Small {i: 1})
;
EXPLAIN MATCH (b:Big)-[:R]->(s:Small) RETURN b, s
