// Null propagation: a missing OPTIONAL MATCH value in arithmetic, comparison,
// coalesce, IS NULL and count(expr) vs count(*).
MATCH (p:Person)
WHERE p.id < 3000
OPTIONAL MATCH (p)-[s:STUDY_AT]->(u:Organisation)
RETURN p.id AS id, s.classYear + 1 AS next, s.classYear > 2000 AS recent,
       coalesce(u.name, 'none') AS school, u IS NULL AS missing
ORDER BY id, school
