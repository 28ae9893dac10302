// Variable length between two bound endpoints (MATCH after a comma MATCH of
// two index seeks): number of paths per length.
MATCH (a:Person {id: 933}), (b:Person {id: 1129})
MATCH path = (a)-[:KNOWS*1..3]-(b)
RETURN length(path) AS hops, count(*) AS paths
ORDER BY hops
