CREATE (a:Person {name: 'Ada', city: 'London'}), (b:Person {name: 'Alan', city: 'London'}), (c:Person {name: 'Grace', city: 'NYC'}), (d:Person {name: 'Edsger'}), (e:Person {name: 'Barbara', city: 'NYC'}), (x:Company {name: 'Acme', city: 'London'}), (y:Company {name: 'Initech', city: 'NYC'}), (z:Company {name: 'Nowhere'}), (a)-[:KNOWS]->(b), (b)-[:KNOWS]->(c), (c)-[:KNOWS]->(a), (d)-[:KNOWS]->(e)
;
MATCH (p:Person)-[:KNOWS]->(q:Person), (c:Company) WHERE q.city = c.city AND p.name < q.name RETURN p.name AS p, q.name AS q, c.name AS c ORDER BY p, q, c
