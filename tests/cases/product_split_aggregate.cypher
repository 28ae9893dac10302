UNWIND range(1, 1000) AS v CREATE (:N {v: v})
;
UNWIND range(1, 20) AS i WITH i ORDER BY i
MATCH (n:N) WHERE n.v % 7 = i % 7
RETURN i, count(*) AS c, sum(n.v) AS s, collect(n.v)[0..3] AS first ORDER BY i
