// OPTIONAL MATCH with its own WHERE: the filter restricts the optional part
// only, people without a match still appear with null.
MATCH (p:Person)-[:IS_LOCATED_IN]->(:Place {name: 'Berlin'})
OPTIONAL MATCH (p)-[w:WORK_AT]->(o:Organisation)
WHERE w.workFrom >= 2008
RETURN p.id AS id, o.name AS company, w.workFrom AS since
ORDER BY id, company
