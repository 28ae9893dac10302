// Untyped relationship patterns in both directions, grouped by type(r).
MATCH (p:Person {id: 933})-[r]-(x)
RETURN type(r) AS t, count(*) AS c
ORDER BY t
