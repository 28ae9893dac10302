// Kuzu walks may reuse a relationship (p-f-p); openCypher's may not. With a
// simple KNOWS graph that only adds the start node at distance 2.
MATCH (p:Person {id: 933})-[:KNOWS*1..2]-(x:Person)
WHERE x.id <> 933
RETURN count(DISTINCT x) AS reachable
