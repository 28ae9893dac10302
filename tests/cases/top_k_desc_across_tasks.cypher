UNWIND range(1, 20000) AS i CREATE (:P {i: i, m: i % 3})
;
// Descending with ties, more rows asked for than a task holds: the
// best of every task, merged.
MATCH (p:P) WITH p, p.i % 1000 AS r RETURN r, p.i AS i ORDER BY r DESC, p.m LIMIT 25
