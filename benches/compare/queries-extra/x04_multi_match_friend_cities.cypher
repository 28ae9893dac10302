// Several MATCH clauses chained through bound variables: the cities of one
// person's friends of friends, by count.
MATCH (p:Person {id: 933})
MATCH (p)-[:KNOWS]-(f:Person)
MATCH (f)-[:KNOWS]-(ff:Person)
MATCH (ff)-[:IS_LOCATED_IN]->(c:Place)
RETURN c.name AS city, count(*) AS n, count(DISTINCT ff) AS people
ORDER BY n DESC, city
LIMIT 10
