// Kuzu's recursive patterns are walks (a relationship may repeat, even with
// recursive_pattern_semantic = TRAIL on undirected patterns), so count each
// length with pairwise distinct relationships.
MATCH (p:Person {id: 933})-[r1:KNOWS]-(:Person)-[r2:KNOWS]-(x:Person)
WHERE id(r1) <> id(r2)
WITH count(*) AS two
MATCH (p:Person {id: 933})-[r1:KNOWS]-(:Person)-[r2:KNOWS]-(:Person)-[r3:KNOWS]-(x:Person)
WHERE id(r1) <> id(r2) AND id(r2) <> id(r3) AND id(r1) <> id(r3)
WITH two, count(*) AS three
UNWIND [[2, 3, two], [3, 4, three]] AS row
RETURN row[1] AS hops, row[2] AS nodes, row[3] AS paths
ORDER BY hops
