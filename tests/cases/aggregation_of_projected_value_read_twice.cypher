CREATE (:N {v: 1}), (:N {v: 2}), (:N {v: 3})
;
MATCH (n:N)
WITH n.v % 2 AS k, n.v * 10 AS v
WITH k, sum(v) AS a, max(v) AS b, count(v) AS c
RETURN k, a, b, c ORDER BY k
