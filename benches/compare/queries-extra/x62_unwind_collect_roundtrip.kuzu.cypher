// Kuzu matches fixed-length patterns without relationship uniqueness.
MATCH (p:Person {id: 933})-[r1:KNOWS]-(:Person)-[r2:KNOWS]-(fof:Person)
WHERE id(r1) <> id(r2)
WITH collect(fof.id) AS ids
UNWIND ids AS id
WITH DISTINCT id
RETURN count(*) AS distinctIds, sum(id) % 1000 AS checksum
