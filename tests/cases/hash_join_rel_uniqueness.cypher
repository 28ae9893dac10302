CREATE (a:Person {name: 'Ada', city: 'London'}), (b:Person {name: 'Alan', city: 'London'}), (c:Person {name: 'Grace', city: 'NYC'}), (d:Person {name: 'Edsger'}), (e:Person {name: 'Barbara', city: 'NYC'}), (x:Company {name: 'Acme', city: 'London'}), (y:Company {name: 'Initech', city: 'NYC'}), (z:Company {name: 'Nowhere'}), (a)-[:KNOWS]->(b), (b)-[:KNOWS]->(c), (c)-[:KNOWS]->(a), (d)-[:KNOWS]->(e)
;
// Relationship uniqueness holds across the parts of one MATCH: r1 and r2
// are never the same relationship (4 relationships: 4 * 3 pairs).
MATCH (a)-[r1:KNOWS]->(b), (c)-[r2:KNOWS]->(d) RETURN count(*) AS pairs
