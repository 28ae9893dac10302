// Aggregation over 150k relationships: who wrote the most comments.
MATCH (c:Comment)-[:HAS_CREATOR]->(p:Person)
RETURN p.id AS id, p.firstName AS firstName, count(c) AS comments
ORDER BY comments DESC, id
LIMIT 10
