// Forums moderated by people in one country, their posts and the posts' tags.
MATCH (country:Place {name: 'India'})<-[:IS_PART_OF]-(:Place)<-[:IS_LOCATED_IN]-(m:Person)<-[:HAS_MODERATOR]-(f:Forum)
MATCH (f)-[:CONTAINER_OF]->(post:Post)-[:HAS_TAG]->(t:Tag)
RETURN t.name AS tag, count(DISTINCT post) AS posts, count(DISTINCT f) AS forums
ORDER BY posts DESC, tag
LIMIT 10
