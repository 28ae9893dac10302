MATCH (p:Person {id: 123456})-[:WORKS_AT]->(c)
RETURN p.name, c.name
