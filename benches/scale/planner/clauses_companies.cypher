// Employers of my friends, written from the company side in two MATCH
// clauses: the plan starts at me.
MATCH (c:Company)<-[:WORKS_AT]-(p:Person)
MATCH (p)-[:KNOWS]-(me:Person {me: true})
RETURN c.name AS company, count(*) AS n ORDER BY n DESC, company LIMIT 5
