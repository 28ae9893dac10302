// Kuzu: funding rounds are their own node table, WORKS_AT two relationship
// tables, interval() for duration(); *1..2 is a walk (count(DISTINCT p) and
// p <> me make that the same answer).
MATCH (m:Meta), (me:Person {me: true}), (c:Company)-[:RAISED]->(e:FundingRound {series: 'Series B'})
WHERE e.date >= m.today - interval('60 days')
OPTIONAL MATCH (me)-[:KNOWS*1..2]-(p:Person)-[w:WORKS_AT_WORKS_AT|WORKS_AT_WORKS_AT_PAST]->(c)
WHERE w.until IS NULL AND id(p) <> id(me)
RETURN c.name AS company, e.amount AS amount, e.date AS raised_on, count(DISTINCT p) AS people_in_my_network
ORDER BY raised_on DESC, company
