// collect(DISTINCT ...) and count(DISTINCT ...) of the same values agree;
// WITH DISTINCT before aggregation.
MATCH (p:Person)-[:KNOWS]-(f:Person)-[:IS_LOCATED_IN]->(c:Place)
WITH DISTINCT p, c
WITH p, count(c) AS cities, size(collect(DISTINCT c.name)) AS names
WHERE cities <> names
RETURN count(*) AS mismatches
