// 2 hops: distinct friends of friends, not the person itself.
MATCH (p:Person {id: 933})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person)
WHERE fof.id <> 933
RETURN count(DISTINCT fof) AS fofs
