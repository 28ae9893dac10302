// Shortest path over KNOWS between two people.
MATCH p = shortestPath((a:Person {id: 933})-[:KNOWS*]-(b:Person {id: 1129}))
RETURN length(p) AS hops
