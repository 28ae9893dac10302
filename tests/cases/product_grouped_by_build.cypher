UNWIND range(1, 1000) AS v CREATE (:N {v: v})
;
UNWIND range(1, 20) AS i WITH i ORDER BY i
MATCH (n:N) WHERE (n.v + i) % 3 = 0
WITH n, count(*) AS c, collect(i) AS seen, sum(i) AS s
RETURN n.v AS v, c, seen, s ORDER BY v DESC LIMIT 4
