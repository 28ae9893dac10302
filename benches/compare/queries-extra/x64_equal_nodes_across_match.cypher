// Node equality across MATCH clauses: in how many forums does the moderator
// write the posts (walls and albums: yes; groups: never).
MATCH (f:Forum)-[:HAS_MODERATOR]->(m:Person)
WHERE f.title STARTS WITH 'Group for' OR f.title STARTS WITH 'Album 1 of'
MATCH (f)-[:CONTAINER_OF]->(:Post)-[:HAS_CREATOR]->(author:Person)
WITH f, m, count(*) AS posts, sum(CASE WHEN author = m THEN 1 ELSE 0 END) AS own
RETURN own > 0 AS moderatorPosts, own = posts AS onlyModerator, count(f) AS forums,
       sum(own) AS ownPosts, sum(posts) AS allPosts
ORDER BY moderatorPosts, onlyModerator
