// Kuzu plans the plain 2-hop pattern badly (about 10 s on this data);
// this equivalent form aggregates replies per post first (about 1 s).
MATCH (:Comment)-[:REPLY_OF]->(p:Post)
WITH p, count(*) AS n
MATCH (p)-[:HAS_CREATOR]->(a:Person)
WHERE a.gender = 'female'
RETURN sum(n) AS replies
