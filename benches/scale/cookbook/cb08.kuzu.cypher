// Kuzu: WITH splits the pattern (planned whole, it filled the buffer
// pool); relationship uniqueness written out.
MATCH (a:Company)-[ac:CUSTOMER_OF]->(v:Company {name: 'Lumen CRM'})
WITH a, v, ac
MATCH (a)-[r:REFERRED]->(b:Company)-[bc:CUSTOMER_OF]->(v)
WHERE bc.since >= r.at AND id(ac) <> id(bc)
RETURN a.name AS advocate, count(b) AS referrals_won, sum(bc.revenue) AS revenue_won
ORDER BY referrals_won DESC, revenue_won DESC, advocate
