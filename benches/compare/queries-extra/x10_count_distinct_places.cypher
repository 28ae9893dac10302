// count(DISTINCT) next to count(*) over a 2-hop pattern, grouped.
MATCH (p:Person)-[:KNOWS]->(f:Person)-[:IS_LOCATED_IN]->(c:Place)
WHERE p.browserUsed = 'Opera'
RETURN p.id AS id, count(*) AS friends, count(DISTINCT c) AS cities
ORDER BY friends DESC, id
LIMIT 10
