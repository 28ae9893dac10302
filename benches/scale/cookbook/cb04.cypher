MATCH (m:Meta), (me:Person {me: true}), (c:Company)-[:RAISED]->(e:Event {series: 'Series B'})
WHERE e.date >= m.today - duration('P60D')
OPTIONAL MATCH (me)-[:KNOWS*1..2]-(p:Person)-[w:WORKS_AT]->(c)
WHERE w.until IS NULL AND p <> me
RETURN c.name AS company, e.amount AS amount, e.date AS raised_on, count(DISTINCT p) AS people_in_my_network
ORDER BY raised_on DESC, company
