CREATE (a:Person {name: 'Ada', city: 'London'}), (b:Person {name: 'Alan', city: 'London'}), (c:Person {name: 'Grace', city: 'NYC'}), (d:Person {name: 'Edsger'}), (e:Person {name: 'Barbara', city: 'NYC'}), (x:Company {name: 'Acme', city: 'London'}), (y:Company {name: 'Initech', city: 'NYC'}), (z:Company {name: 'Nowhere'}), (a)-[:KNOWS]->(b), (b)-[:KNOWS]->(c), (c)-[:KNOWS]->(a), (d)-[:KNOWS]->(e)
;
MATCH (p:Person), (c:Company) RETURN p.name AS p, c.name AS c ORDER BY p, c LIMIT 4
