MATCH (a:Company)-[:CUSTOMER_OF]->(v:Company {name: 'Lumen CRM'}),
      (a)-[r:REFERRED]->(b:Company)-[bc:CUSTOMER_OF]->(v)
WHERE bc.since >= r.at
RETURN a.name AS advocate, count(b) AS referrals_won, sum(bc.revenue) AS revenue_won
ORDER BY referrals_won DESC, revenue_won DESC, advocate
