// Relationship uniqueness across a fixed relationship and a variable-length
// one in the same pattern: the variable part may not reuse r.
MATCH (p:Person {id: 933})-[r:KNOWS]-(f:Person)-[:KNOWS*1..2]-(x:Person)
RETURN count(*) AS paths, count(DISTINCT x) AS endpoints
