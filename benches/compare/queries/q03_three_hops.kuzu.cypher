// Kuzu matches fixed-length patterns without relationship uniqueness.
MATCH (p:Person {id: 933})-[r1:KNOWS]-(:Person)-[r2:KNOWS]-(:Person)-[r3:KNOWS]-(x:Person)
WHERE id(r1) <> id(r2) AND id(r2) <> id(r3) AND id(r1) <> id(r3)
RETURN count(*) AS paths
