// Consecutive MATCH clauses planned as one pattern: the company by name
// first, not every employment.
MATCH (p:Person)-[:WORKS_AT]->(c:Company)
MATCH (c) WHERE c.name = 'Blue Systems'
RETURN count(*) AS employees
