// ORDER BY an expression that is not returned, and by an aggregate alias.
MATCH (p:Person)-[:IS_LOCATED_IN]->(c:Place)
WHERE c.name STARTS WITH 'S'
RETURN c.name AS city, count(*) AS people
ORDER BY size(city) DESC, people DESC, city
LIMIT 10
