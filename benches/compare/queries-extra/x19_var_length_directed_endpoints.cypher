// Directed variable length *2..3 with DISTINCT endpoints and a filter on them.
MATCH (p:Person {id: 933})-[:KNOWS*2..3]->(x:Person)
WHERE x.gender = 'female'
RETURN DISTINCT x.id AS id, x.firstName AS name
ORDER BY id
LIMIT 30
