// Kuzu: EXISTS subquery for a pattern predicate with more than one hop.
MATCH (p:Person)-[:IS_LOCATED_IN]->(c:Place)
WHERE c.name = 'Beijing' AND NOT EXISTS { MATCH (p)-[:KNOWS]-(:Person)-[:IS_LOCATED_IN]->(c) }
RETURN p.id AS id
ORDER BY id
