// 2 hops with a string filter and aggregation: tags of posts on walls.
MATCH (f:Forum)-[:CONTAINER_OF]->(:Post)-[:HAS_TAG]->(t:Tag)
WHERE f.title STARTS WITH 'Wall of'
RETURN t.name AS tag, count(*) AS posts
ORDER BY posts DESC, tag
LIMIT 10
