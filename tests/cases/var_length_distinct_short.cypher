CREATE (a:Person {name: 'Ada'})-[:KNOWS]->(b:Person {name: 'Alan'})-[:KNOWS]->(c:Person {name: 'Grace'})-[:KNOWS]->(a), (b)-[:KNOWS]->(d:Person {name: 'Dan'}), (d)-[:KNOWS]->(d)
;
MATCH (a:Person {name: 'Ada'})-[:KNOWS*1..2]->(b) RETURN DISTINCT b.name
