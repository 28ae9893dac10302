CREATE (:N {v: 1}), (:N {v: 2}), (:N {v: 3})
;
EXPLAIN MATCH (n:N)
WITH n, CASE WHEN n.v > 1 THEN n.v ELSE 0 END AS big, n.v * 2 AS twice
WITH count(*) AS c, sum(big) AS b, collect(twice) AS t
RETURN c, b, t
