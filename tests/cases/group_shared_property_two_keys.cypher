CREATE (a:Tag {name: 'crm'}), (b:Tag {name: 'crm'}), (c:Tag {name: 'churn'}), (d:Tag), (p:Person {name: 'Ada'}), (q:Person {name: 'Alan'}), (p)-[:LIKES]->(a), (p)-[:LIKES]->(b), (q)-[:LIKES]->(b), (q)-[:LIKES]->(c), (p)-[:LIKES]->(d), (q)-[:LIKES]->(d)
;
MATCH (p:Person)-[:LIKES]->(t:Tag) RETURN t.name AS tag, p.name AS who, count(*) AS n ORDER BY tag, who
