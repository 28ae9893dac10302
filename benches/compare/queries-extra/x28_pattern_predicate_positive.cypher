// Positive pattern predicates combined with OR and a property filter.
MATCH (p:Person)
WHERE (p)-[:WORK_AT]->(:Organisation) OR (p)-[:STUDY_AT]->(:Organisation {type: 'University'})
RETURN p.gender AS gender, count(*) AS people
ORDER BY gender
