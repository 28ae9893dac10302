CREATE (:N {v: 1}), (:N {v: 2}), (:N {v: 3})
;
MATCH (n:N)
WITH n, 1 / (n.v - 2) AS bad, n.v AS v
WITH sum(v) AS s
RETURN s
