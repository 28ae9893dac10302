UNWIND range(1, 50) AS i CREATE (:N {i: i, g: i % 7})
;
MATCH (n:N) WITH n ORDER BY n.i RETURN n.g AS g, n.i AS i ORDER BY g SKIP 3 LIMIT 4
