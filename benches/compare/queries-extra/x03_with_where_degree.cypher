// WITH ... WHERE on an aggregate: people with more than 100 friends
// (undirected KNOWS), then their city.
MATCH (p:Person)-[:KNOWS]-(f:Person)
WITH p, count(f) AS friends
WHERE friends > 100
MATCH (p)-[:IS_LOCATED_IN]->(c:Place)
RETURN p.id AS id, friends, c.name AS city
ORDER BY friends DESC, id
