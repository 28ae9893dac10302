// Expressions over aggregates and grouping keys in one projection.
MATCH (f:Forum)-[:CONTAINER_OF]->(post:Post)
WHERE f.title STARTS WITH 'Group for'
WITH f, count(post) AS posts
RETURN f.creationDate / 10000000000000 AS year, count(f) AS forums, sum(posts) AS posts,
       sum(posts) * 1.0 / count(f) AS perForum, max(posts) - min(posts) AS range
ORDER BY year
