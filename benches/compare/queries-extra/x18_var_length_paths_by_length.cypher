// Variable length *2..3: number of paths (relationships distinct) per length,
// with the path functions length() and nodes().
MATCH path = (p:Person {id: 933})-[:KNOWS*2..3]-(x:Person)
RETURN length(path) AS hops, size(nodes(path)) AS nodes, count(*) AS paths
ORDER BY hops
