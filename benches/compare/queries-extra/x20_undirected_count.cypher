// Undirected pattern counts each relationship from both ends; directed once.
MATCH (a:Person)-[:KNOWS]-(b:Person)
WITH count(*) AS undirected
MATCH (a:Person)-[:KNOWS]->(b:Person)
RETURN undirected, count(*) AS directed
