CREATE (:N {v: 1}), (:N {v: 2}), (:N {v: 3})
;
MATCH (n:N)
WITH n.v * 10 AS v
WITH sum(v) AS a, max(v) AS b, collect(v) AS c
RETURN a, b, c
