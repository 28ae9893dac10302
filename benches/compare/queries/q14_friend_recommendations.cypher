// 2 hops with a negative pattern-free filter: friends of friends who share
// an interest with the person, ranked by how many friends lead to them.
MATCH (p:Person {id: 933})-[:KNOWS]-(f:Person)-[:KNOWS]-(fof:Person)-[:HAS_INTEREST]->(t:Tag)<-[:HAS_INTEREST]-(p)
WHERE fof.id <> 933
RETURN fof.id AS id, count(DISTINCT t) AS shared
ORDER BY shared DESC, id
LIMIT 10
