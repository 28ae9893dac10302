// Kuzu: interval() for duration(), EXISTS { MATCH ... }.
MATCH (m:Meta), (me:Person {me: true})-[:KNOWS]-(p:Person)-[x:MENTIONED]->(:Topic {name: 'churn'})
WHERE x.at >= m.today - interval('90 days')
  AND EXISTS { MATCH (p)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: 'CRM'}) }
RETURN p.id AS id, p.name AS person, max(x.at) AS last_churn_mention
ORDER BY last_churn_mention DESC, id
