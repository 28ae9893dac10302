UNWIND range(1, 300) AS v CREATE (:N {v: v % 10, w: v})
;
CREATE (:M {v: 1}), (:M), (:M {v: 2}), (:M {v: 1})
;
MATCH (a:N) MATCH (b:M) WHERE a.v = b.v
RETURN a.v AS v, count(*) AS c, sum(a.w) AS s ORDER BY v
