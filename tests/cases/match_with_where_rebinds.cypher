CREATE (ada:Person {name: 'Ada', age: 36}), (alan:Person {name: 'Alan', age: 41}), (grace:Person {name: 'Grace', age: 85}), (acme:Company {name: 'Acme'}), (ada)-[:KNOWS {since: 2001}]->(alan), (alan)-[:KNOWS {since: 2005}]->(grace), (grace)-[:KNOWS {since: 1999}]->(ada), (ada)-[:WORKS_AT]->(acme), (alan)-[:WORKS_AT]->(acme)
;
MATCH (a:Person)-[:KNOWS]->(b) WITH a WHERE a.age > 30 MATCH (b:Person)-[:WORKS_AT]->(c) RETURN a.name, b.name, c.name
