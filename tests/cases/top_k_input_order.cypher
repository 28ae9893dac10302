UNWIND range(1, 50) AS i CREATE (:N {i: i, g: i % 7})
;
// ORDER BY ... LIMIT keeps input order among ties, like the full sort.
MATCH (n:N) WITH n ORDER BY n.i RETURN n.g AS g, n.i AS i ORDER BY g DESC LIMIT 5
