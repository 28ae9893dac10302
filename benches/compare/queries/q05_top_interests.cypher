// Aggregation + ORDER BY/LIMIT: the most common interests.
MATCH (:Person)-[:HAS_INTEREST]->(t:Tag)
RETURN t.name AS tag, count(*) AS people
ORDER BY people DESC, tag
LIMIT 10
