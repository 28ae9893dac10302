// Two OPTIONAL MATCH clauses in a row; the second starts from a variable the
// first may leave null.
MATCH (p:Person)
WHERE p.id < 1000
OPTIONAL MATCH (p)-[:WORK_AT]->(o:Organisation)
OPTIONAL MATCH (o)-[:IS_LOCATED_IN]->(c:Place)
RETURN p.id AS id, o.name AS company, c.name AS country
ORDER BY id, company
