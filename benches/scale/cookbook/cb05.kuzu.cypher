// Kuzu: job changes are their own node table, WORKS_AT two relationship
// tables, interval() for duration(), NOT EXISTS for a pattern predicate,
// SHORTEST for shortestPath, COUNT { } for size([...]), lists from 1.
MATCH (m:Meta), (me:Person {me: true})-[:WORKS_AT_WORKS_AT|WORKS_AT_WORKS_AT_PAST]->(mine:Company),
      (p:Person)-[:CHANGED_JOB]->(e:JobChange {title: 'CMO'})-[:AT]->(c:Company)
WHERE e.date >= m.today - interval('365 days') AND c.industry = mine.industry
  AND id(p) <> id(me) AND NOT EXISTS { MATCH (me)-[:KNOWS]-(p) }
MATCH path = (me)-[:KNOWS* SHORTEST 1..2]-(p)
RETURN p.id AS id, p.name AS person, c.name AS company, e.date AS started,
       length(path) AS hops, properties(nodes(path), 'name')[2] AS introducer,
       COUNT { MATCH (me)-[:KNOWS]-(f:Person)-[:KNOWS]-(p) } AS possible_introducers
ORDER BY started DESC, id
