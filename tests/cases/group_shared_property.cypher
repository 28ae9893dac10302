CREATE (a:Tag {name: 'crm'}), (b:Tag {name: 'crm'}), (c:Tag {name: 'churn'}), (d:Tag), (p:Person {name: 'Ada'}), (q:Person {name: 'Alan'}), (p)-[:LIKES]->(a), (p)-[:LIKES]->(b), (q)-[:LIKES]->(b), (q)-[:LIKES]->(c), (p)-[:LIKES]->(d), (q)-[:LIKES]->(d)
;
// Two tags share a name: grouping by the name merges them (the executor
// groups by node first, then regroups by the value).
MATCH (:Person)-[:LIKES]->(t:Tag) RETURN t.name AS tag, count(*) AS likes ORDER BY tag
