// IN over a list built by collect: posts tagged with one of a person's interests.
MATCH (p:Person {id: 933})-[:HAS_INTEREST]->(t:Tag)
WITH collect(t.id) AS interests
MATCH (post:Post)-[:HAS_TAG]->(t:Tag)
WHERE t.id IN interests
RETURN t.name AS tag, count(post) AS posts
ORDER BY posts DESC, tag
LIMIT 10
