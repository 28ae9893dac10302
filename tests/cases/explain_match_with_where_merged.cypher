CREATE (ada:Person {name: 'Ada', age: 36}), (alan:Person {name: 'Alan', age: 41}), (grace:Person {name: 'Grace', age: 85}), (acme:Company {name: 'Acme'}), (ada)-[:KNOWS {since: 2001}]->(alan), (alan)-[:KNOWS {since: 2005}]->(grace), (grace)-[:KNOWS {since: 1999}]->(ada), (ada)-[:WORKS_AT]->(acme), (alan)-[:WORKS_AT]->(acme)
;
EXPLAIN MATCH (p:Person)-[:WORKS_AT]->(c) WITH p, c WHERE p.age > 30 MATCH (c:Company {name: 'Acme'}) RETURN p.name
