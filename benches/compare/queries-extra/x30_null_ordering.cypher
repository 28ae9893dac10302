// ORDER BY with nulls: nulls sort last ascending, first descending.
MATCH (p:Person)
WHERE p.firstName STARTS WITH 'Ab'
OPTIONAL MATCH (p)-[s:STUDY_AT]->(:Organisation)
RETURN p.id AS id, s.classYear AS year
ORDER BY year DESC, id
