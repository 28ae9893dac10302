// OPTIONAL MATCH then WITH ... WHERE IS NULL: people who work nowhere, by gender.
MATCH (p:Person)
OPTIONAL MATCH (p)-[:WORK_AT]->(o:Organisation)
WITH p, o
WHERE o IS NULL
RETURN p.gender AS gender, count(*) AS people
ORDER BY gender
