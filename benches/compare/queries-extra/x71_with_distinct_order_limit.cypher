// WITH DISTINCT + ORDER BY + LIMIT, then a MATCH from the kept values.
MATCH (p:Person)
WITH DISTINCT p.browserUsed AS b
ORDER BY b DESC
LIMIT 2
MATCH (q:Person {browserUsed: b})-[:IS_LOCATED_IN]->(:Place)-[:IS_PART_OF]->(c:Place)
RETURN b, c.name AS country, count(q) AS people
ORDER BY people DESC, country
LIMIT 8
