CREATE (a:Tag {name: 'crm'}), (b:Tag {name: 'crm'}), (c:Tag {name: 'churn'}), (d:Tag), (p:Person {name: 'Ada'}), (q:Person {name: 'Alan'}), (p)-[:LIKES]->(a), (p)-[:LIKES]->(b), (q)-[:LIKES]->(b), (q)-[:LIKES]->(c), (p)-[:LIKES]->(d), (q)-[:LIKES]->(d)
;
MATCH (p:Person)-[:LIKES]->(t:Tag) RETURN t.name AS tag, count(DISTINCT p) AS people, collect(DISTINCT p.name) AS names ORDER BY people DESC, tag LIMIT 2
