// Variable length *1..2 with distinct endpoints (the start itself is not
// reachable in 2 hops without reusing a relationship).
MATCH (p:Person {id: 933})-[:KNOWS*1..2]-(x:Person)
RETURN count(DISTINCT x) AS reachable
