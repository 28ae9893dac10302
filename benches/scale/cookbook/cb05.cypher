MATCH (m:Meta), (me:Person {me: true})-[:WORKS_AT]->(mine:Company),
      (p:Person)-[:CHANGED_JOB]->(e:Event {title: 'CMO'})-[:AT]->(c:Company)
WHERE e.date >= m.today - duration('P365D') AND c.industry = mine.industry
  AND p <> me AND NOT (me)-[:KNOWS]-(p)
MATCH path = shortestPath((me)-[:KNOWS*..2]-(p))
RETURN p.id AS id, p.name AS person, c.name AS company, e.date AS started,
       length(path) AS hops, nodes(path)[1].name AS introducer,
       size([(me)-[:KNOWS]-(f:Person)-[:KNOWS]-(p) | f]) AS possible_introducers
ORDER BY started DESC, id
