// Two comma patterns joined only through WHERE (same city): pairs of
// friends of 933 and other people living in the same city.
MATCH (p:Person {id: 933})-[:KNOWS]-(f:Person)-[:IS_LOCATED_IN]->(c1:Place),
      (o:Person)-[:IS_LOCATED_IN]->(c2:Place)
WHERE c1 = c2 AND o <> f
RETURN f.id AS friend, c1.name AS city, count(o) AS neighbours
ORDER BY friend
