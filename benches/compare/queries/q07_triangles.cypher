// A triangle: a knows b, b knows c, and a knows c.
MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(c:Person), (a)-[:KNOWS]->(c)
RETURN count(*) AS triangles
