// RETURN DISTINCT over two columns of a 2-hop pattern.
MATCH (p:Person)-[:STUDY_AT]->(u:Organisation)-[:IS_LOCATED_IN]->(c:Place)
WHERE p.browserUsed = 'Chrome'
RETURN DISTINCT c.name AS city, p.gender AS gender
ORDER BY city, gender
LIMIT 40
