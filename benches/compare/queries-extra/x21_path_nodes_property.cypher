// Path functions on a fixed-length named path: nodes(), relationships(), length().
MATCH path = (p:Person {id: 933})-[:KNOWS]->(f:Person)-[:IS_LOCATED_IN]->(c:Place)
RETURN f.id AS friend, length(path) AS len, size(nodes(path)) AS n,
       size(relationships(path)) AS r, c.name AS city
ORDER BY friend
