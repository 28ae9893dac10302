CREATE (a:Person {name: 'Ada', city: 'London'}), (b:Person {name: 'Alan', city: 'London'}), (c:Person {name: 'Grace', city: 'NYC'}), (d:Person {name: 'Edsger'}), (e:Person {name: 'Barbara', city: 'NYC'}), (x:Company {name: 'Acme', city: 'London'}), (y:Company {name: 'Initech', city: 'NYC'}), (z:Company {name: 'Nowhere'}), (a)-[:KNOWS]->(b), (b)-[:KNOWS]->(c), (c)-[:KNOWS]->(a), (d)-[:KNOWS]->(e)
;
// Two pattern parts joined only through WHERE: a hash join on city;
// null cities never match.
MATCH (p:Person), (c:Company) WHERE p.city = c.city RETURN p.name AS person, c.name AS company ORDER BY person, company
