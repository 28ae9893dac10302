UNWIND range(1, 1000) AS v CREATE (:N {v: v})
;
UNWIND range(1, 20) AS i WITH i ORDER BY i
MATCH (n:N) WHERE n.v > 995 OR i > 19
RETURN i, n.v AS v LIMIT 7
