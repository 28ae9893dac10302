// The two-hop question's reads, written as two MATCH clauses with me
// last: the plan starts at me.
MATCH (p:Person)-[:READ]->(x:Content)-[:ABOUT]->(t:Topic)
MATCH (me:Person {me: true})-[:KNOWS]-(p)
RETURN t.name AS topic, count(*) AS reads ORDER BY reads DESC, topic LIMIT 5
