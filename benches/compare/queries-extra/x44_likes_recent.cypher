// Relationship property range on LIKES, 2 hops to the post's creator, top-k.
MATCH (liker:Person)-[l:LIKES]->(post:Post)-[:HAS_CREATOR]->(author:Person)
WHERE l.creationDate >= 20120901000000000 AND liker <> author
RETURN author.id AS author, count(DISTINCT liker) AS fans, count(*) AS likes
ORDER BY fans DESC, likes DESC, author
LIMIT 10
