// collect + size: how many people have how many interests.
MATCH (p:Person)-[:HAS_INTEREST]->(t:Tag)
WITH p, collect(t.name) AS tags
RETURN size(tags) AS interests, count(*) AS people
ORDER BY interests DESC
LIMIT 10
