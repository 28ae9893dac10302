// OPTIONAL MATCH over two hops with a property map on the far node: all or
// nothing per person.
MATCH (p:Person)
WHERE p.id < 1000
OPTIONAL MATCH (p)-[:WORK_AT]->(o:Organisation)-[:IS_LOCATED_IN]->(c:Place {name: 'China'})
RETURN p.id AS id, o.name AS company, c.name AS country
ORDER BY id, company
