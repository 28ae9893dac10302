// Undirected triangle through one person (each triangle counted twice, once
// per orientation); endpoints compared with ids.
MATCH (a:Person {id: 933})-[:KNOWS]-(b:Person)-[:KNOWS]-(c:Person)-[:KNOWS]-(a)
RETURN count(*) AS oriented, count(DISTINCT b.id + c.id) AS pairs
