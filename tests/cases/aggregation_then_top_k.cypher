UNWIND range(1, 40) AS i CREATE (:P {i: i, g: i % 7, h: i % 3, name: 'p' + toString(i % 5)})
;
// Groups pass through a filter and a projection on their way into ORDER
// BY ... LIMIT one at a time (one reused row): a group the filter drops
// (g = 0, g = 6) leaves nothing behind for the next; ties keep group order.
MATCH (p:P) WITH p.g AS g, count(*) AS c, collect(p.i) AS items WHERE c > 5 WITH g, c, items, size(items) * 10 + g AS score RETURN g, c, score, items ORDER BY c DESC, g LIMIT 3
