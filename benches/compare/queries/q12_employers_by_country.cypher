// Relationship property filter, 2 hops, grouped: where people work since 2010.
MATCH (p:Person)-[w:WORK_AT]->(:Organisation)-[:IS_LOCATED_IN]->(c:Place)
WHERE w.workFrom >= 2010
RETURN c.name AS country, count(DISTINCT p) AS people
ORDER BY people DESC, country
LIMIT 10
