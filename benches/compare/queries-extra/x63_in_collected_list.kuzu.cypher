// Kuzu 0.11.3 drops rows with `t.id IN interests` here (231 posts for
// Genghis_Khan where a plain count gives 251); UNWIND of the (duplicate-free)
// list computes the openCypher answer.
MATCH (p:Person {id: 933})-[:HAS_INTEREST]->(t:Tag)
WITH collect(t.id) AS interests
UNWIND interests AS i
MATCH (post:Post)-[:HAS_TAG]->(t:Tag {id: i})
RETURN t.name AS tag, count(post) AS posts
ORDER BY posts DESC, tag
LIMIT 10
