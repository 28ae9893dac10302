// Pattern predicate with a label and an anonymous middle node, negated:
// people none of whose friends live in their city.
MATCH (p:Person)-[:IS_LOCATED_IN]->(c:Place)
WHERE c.name = 'Beijing' AND NOT (p)-[:KNOWS]-(:Person)-[:IS_LOCATED_IN]->(c)
RETURN p.id AS id
ORDER BY id
