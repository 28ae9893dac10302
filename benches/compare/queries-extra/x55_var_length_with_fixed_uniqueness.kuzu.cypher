// Kuzu: spelled out per length with pairwise distinct relationships (its
// recursive patterns are walks).
MATCH (p:Person {id: 933})-[r:KNOWS]-(f:Person)-[r2:KNOWS]-(x:Person)
WHERE id(r) <> id(r2)
WITH collect(x.id) AS one, count(*) AS n1
MATCH (p:Person {id: 933})-[r:KNOWS]-(f:Person)-[r2:KNOWS]-(:Person)-[r3:KNOWS]-(x:Person)
WHERE id(r) <> id(r2) AND id(r2) <> id(r3) AND id(r) <> id(r3)
WITH one, n1, collect(x.id) AS two, count(*) AS n2
UNWIND one + two AS x
RETURN n1 + n2 AS paths, count(DISTINCT x) AS endpoints
