MATCH (me:Person {me: true})-[:KNOWS]-(:Person)-[:KNOWS]-(p:Person)-[:READ]->(c:Content)-[:ABOUT]->(t:Topic)
RETURN t.name, count(*) ORDER BY count(*) DESC LIMIT 5
