// 2 hops with a filter on the far end: people living in cities of China.
MATCH (p:Person)-[:IS_LOCATED_IN]->(c:Place)-[:IS_PART_OF]->(country:Place)
WHERE country.name = 'China'
RETURN count(p) AS people
