// 2 hops: distinct posts liked by the friends of one person.
MATCH (p:Person {id: 933})-[:KNOWS]-(:Person)-[:LIKES]->(m:Post)
RETURN count(DISTINCT m) AS posts
