// Kuzu: WORKS_AT is two relationship tables (one per CSV file).
MATCH (me:Person {me: true})-[:KNOWS]-(p:Person)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: 'CRM'}),
      (p)-[w:WORKS_AT_WORKS_AT|WORKS_AT_WORKS_AT_PAST]->(c:Company)
WHERE w.until IS NULL
RETURN c.name AS company, count(DISTINCT p) AS connections
ORDER BY connections DESC, company
