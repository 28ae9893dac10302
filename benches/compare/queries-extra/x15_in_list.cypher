// IN with a literal list, on a property and combined with OR.
MATCH (p:Person)-[:IS_LOCATED_IN]->(c:Place)
WHERE p.firstName IN ['Jun', 'Ali', 'Hans', 'Maria'] OR c.name IN ['Berlin', 'Lyon']
RETURN c.name AS city, p.firstName AS name, count(*) AS people
ORDER BY people DESC, city, name
LIMIT 25
