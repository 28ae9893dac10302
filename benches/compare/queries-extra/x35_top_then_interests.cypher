// WITH ORDER BY/LIMIT, then another MATCH: interests of the 5 best-connected people.
MATCH (p:Person)-[:KNOWS]-(:Person)
WITH p, count(*) AS degree
ORDER BY degree DESC, p.id
LIMIT 5
OPTIONAL MATCH (p)-[:HAS_INTEREST]->(t:Tag)
RETURN p.id AS id, degree, count(t) AS interests
ORDER BY degree DESC, id
