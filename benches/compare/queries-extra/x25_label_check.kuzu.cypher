// Kuzu: label(m) = 'Post' instead of m:Post.
MATCH (m)-[:HAS_CREATOR]->(p:Person {id: 933})
RETURN label(m) = 'Post' AS isPost, label(m) = 'Comment' AS isComment, count(*) AS messages
ORDER BY messages
