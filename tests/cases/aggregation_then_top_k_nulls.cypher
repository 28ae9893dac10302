UNWIND range(1, 40) AS i CREATE (:P {i: i, g: i % 7, h: i % 3, name: 'p' + toString(i % 5)})
;
// A projection after the aggregation makes nulls, which sort first in
// descending order; a filter on the group key drops one group.
MATCH (p:P) WITH p.g AS g, count(*) AS c WITH g, CASE WHEN g > 3 THEN c ELSE null END AS big WHERE g <> 2 RETURN g, big ORDER BY big DESC, g LIMIT 4
