// Kuzu: label(r) instead of type(r).
MATCH (p:Person {id: 933})-[r:LIKES|HAS_CREATOR]-(m)
RETURN label(r) AS kind, count(*) AS messages
ORDER BY kind
