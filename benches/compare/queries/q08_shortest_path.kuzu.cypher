// Kuzu's shortest-path syntax.
MATCH p = (a:Person {id: 933})-[:KNOWS* SHORTEST 1..30]-(b:Person {id: 1129})
RETURN length(p) AS hops
