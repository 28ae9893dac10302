UNWIND range(1, 300) AS v CREATE (:N {v: v, k: v % 5})
;
UNWIND [1, 2, 3] AS i
MATCH (a:N {v: i})
OPTIONAL MATCH (z:N {v: -1})
WITH a, z ORDER BY a.v
MATCH (n:N) WHERE n.k - a.k = 0 AND n.v > a.v * 100 AND coalesce(z.v, 0) = 0
RETURN a.v, count(*) AS c, sum(n.v) AS s, collect(n.v)[0..2] AS first ORDER BY a.v
