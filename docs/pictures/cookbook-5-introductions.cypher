// The picture of cookbook question 5: every introduction path from me to a
// second-degree connection who just became CMO at a company in my market,
// with the job change and the company. Drawn into
// cookbook-5-introductions.svg by the command in docs/cookbook.md.
MATCH (m:Meta), (me:Person {me: true})-[:WORKS_AT]->(mine:Company),
      (p:Person)-[cj:CHANGED_JOB]->(e:Event {title: 'CMO'})-[at:AT]->(c:Company)
WHERE e.date >= m.today - duration('P365D') AND c.industry = mine.industry
  AND p <> me AND NOT (me)-[:KNOWS]-(p)
MATCH path = (me)-[:KNOWS]-(f:Person)-[:KNOWS]-(p)
RETURN path, cj, e, at, c
