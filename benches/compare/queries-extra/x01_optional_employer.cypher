// OPTIONAL MATCH keeps people without an employer (count(o) skips the nulls);
// ORDER BY two keys with LIMIT.
MATCH (p:Person)
OPTIONAL MATCH (p)-[:WORK_AT]->(o:Organisation)
RETURN p.id AS id, count(o) AS employers, count(*) AS rows
ORDER BY employers DESC, id
LIMIT 20
