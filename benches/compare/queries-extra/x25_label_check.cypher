// Label checks in WHERE and RETURN on an untyped node: messages by one person.
MATCH (m)-[:HAS_CREATOR]->(p:Person {id: 933})
RETURN m:Post AS isPost, m:Comment AS isComment, count(*) AS messages
ORDER BY messages
