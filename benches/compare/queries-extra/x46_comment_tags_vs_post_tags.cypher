// Replies that share a tag with the post they reply to (cyclic pattern).
MATCH (c:Comment)-[:REPLY_OF]->(post:Post)-[:HAS_TAG]->(t:Tag)<-[:HAS_TAG]-(c)
RETURN t.name AS tag, count(*) AS replies
ORDER BY replies DESC, tag
LIMIT 10
