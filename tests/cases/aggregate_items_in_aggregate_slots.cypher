UNWIND [1, 2, 2, 3, 3, 3] AS v CREATE (:N {v: v})
;
// Items that are one aggregate are the aggregate's value with no copy:
// the same aggregate twice stays two columns, one rebound later while the
// other keeps its value, and ORDER BY reads either by name or by the
// aggregate itself.
MATCH (n:N)
WITH n.v AS v, count(*) AS a, count(*) AS b, sum(n.v) AS s, count(*) * 10 AS c
ORDER BY count(*) DESC, v
WITH v, a + 100 AS a, b, s, c
RETURN v, a, b, s, c
