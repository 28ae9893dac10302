// Kuzu: label(r) instead of type(r).
MATCH (p:Person {id: 933})-[r]-(x)
RETURN label(r) AS t, count(*) AS c
ORDER BY t
