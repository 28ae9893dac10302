UNWIND range(1, 40) AS i CREATE (:P {i: i, g: i % 7, h: i % 3, name: 'p' + toString(i % 5)})
;
// Fewer groups pass the filter than the LIMIT: all of them, in order.
MATCH (p:P) WITH p.name AS name, sum(p.i) AS total, min(p.h) AS low WHERE total % 2 = 0 RETURN name, total, low ORDER BY low, total DESC LIMIT 10
