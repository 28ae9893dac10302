// UNWIND a literal list (with a missing id and a duplicate) into a MATCH.
UNWIND [933, 1129, 4398046511333, 933, -5] AS pid
MATCH (p:Person {id: pid})-[:IS_LOCATED_IN]->(c:Place)
RETURN pid, p.firstName AS name, c.name AS city
ORDER BY pid, city
