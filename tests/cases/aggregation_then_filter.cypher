UNWIND range(1, 40) AS i CREATE (:P {i: i, g: i % 7, h: i % 3, name: 'p' + toString(i % 5)})
;
// Groups pass through filters and a projection between them one at a
// time; only those that pass become rows (g = 0 and g = 6 fail the first
// filter, g = 2 and g = 4 the second).
MATCH (p:P) WITH p.g AS g, count(*) AS c, sum(p.i) AS s WHERE c > 5 WITH g, c, s, s % 4 AS r WHERE r <> 1 RETURN g, c, s, r ORDER BY s DESC
