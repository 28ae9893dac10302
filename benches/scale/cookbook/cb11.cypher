MATCH (me:Person {me: true})-[:KNOWS]-(:Person)-[:WROTE]->(post:Content)-[:ABOUT]->(:Topic {name: 'churn'}),
      (post)-[:ABOUT]->(t:Topic)
WHERE t.name <> 'churn'
RETURN t.name AS topic, count(DISTINCT post) AS posts
ORDER BY posts DESC, topic
