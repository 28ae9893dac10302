// Kuzu 0.11.3 returns 0 for count(*) after count(DISTINCT ...) in the same
// projection; computing count(*) first gives the openCypher answer.
MATCH (liker:Person)-[l:LIKES]->(post:Post)-[:HAS_CREATOR]->(author:Person)
WHERE l.creationDate >= 20120901000000000 AND liker <> author
WITH author.id AS author, count(*) AS likes, count(DISTINCT liker) AS fans
RETURN author, fans, likes
ORDER BY fans DESC, likes DESC, author
LIMIT 10
