// Employees of a company, written as a MATCH, a WITH that filters, and a
// MATCH that names the company: the filter joins the pattern and the
// plan starts at the company.
MATCH (p:Person)-[w:WORKS_AT]->(c:Company)
WITH p, c, w WHERE w.until IS NULL
MATCH (c) WHERE c.name = 'Blue Systems'
RETURN count(*) AS employees
