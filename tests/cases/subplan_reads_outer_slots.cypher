CREATE (a1:A {k: 1})-[:R]->(:T {v: 1}), (a2:A {k: 2})-[:R]->(:T {v: 3}), (a2)-[:R]->(:T {v: 3}), (:C {v: 1}), (:C {v: 3}), (:C {v: 5}), (:C)
;
MATCH (a:A), (c:C)
RETURN a.k AS a, c.v AS c, size([(a)-[:R]->(t:T) WHERE t.v = c.v | t]) AS n, exists((a)-[:R]->(:T {v: c.v})) AS e
ORDER BY a, c
