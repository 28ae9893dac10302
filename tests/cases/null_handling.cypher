CREATE (:N {v: 1}), (:N)
;
MATCH (n:N) RETURN n.v IS NULL AS missing, coalesce(n.v, 0) AS v
