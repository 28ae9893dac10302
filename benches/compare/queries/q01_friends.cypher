// 1 hop: the friends of one person, by id.
MATCH (p:Person {id: 933})-[:KNOWS]-(f:Person)
RETURN f.id AS id, f.firstName AS firstName, f.lastName AS lastName
ORDER BY id
