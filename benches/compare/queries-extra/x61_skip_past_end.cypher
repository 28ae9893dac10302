// SKIP past the last row returns nothing; LIMIT 0 too.
MATCH (p:Person {id: 933})-[:KNOWS]-(f:Person)
RETURN f.id AS id
ORDER BY id
SKIP 10
