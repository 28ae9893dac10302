// Comma pattern joined through a property equality in WHERE: pairs of people
// in the same city who share a last name (a.id < b.id counts each pair once).
MATCH (a:Person)-[:IS_LOCATED_IN]->(c:Place), (b:Person)-[:IS_LOCATED_IN]->(d:Place)
WHERE c.id = d.id AND a.lastName = b.lastName AND a.id < b.id
RETURN c.name AS city, a.lastName AS lastName, count(*) AS pairs
ORDER BY pairs DESC, city, lastName
LIMIT 15
