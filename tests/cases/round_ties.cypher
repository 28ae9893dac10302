// round() ties follow Neo4j's manual: towards positive infinity without a
// precision or with precision 0, away from zero (HALF_UP) otherwise.
UNWIND [2.5, -2.5, -1.5, -2.6, 0.5, -0.5] AS x
RETURN x, round(x) AS r, round(x, 0) AS r0, round(x / 10, 1) AS r1, round(x, 0, 'HALF_UP') AS up
ORDER BY x
