UNWIND range(1, 20000) AS i CREATE (:P {i: i, m: i % 3})
;
// A scan split into many tasks feeds ORDER BY ... LIMIT: each task keeps
// its own best rows, offered to one top-k in task order, so ties (every
// m = 0) keep the scan's order, as the full sort does.
MATCH (p:P) WHERE p.i > 7 RETURN p.m AS m, p.i AS i ORDER BY m LIMIT 5
