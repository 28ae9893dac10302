// 2 hops over the largest relationship sets with a property filter.
MATCH (:Comment)-[:REPLY_OF]->(:Post)-[:HAS_CREATOR]->(a:Person)
WHERE a.gender = 'female'
RETURN count(*) AS replies
