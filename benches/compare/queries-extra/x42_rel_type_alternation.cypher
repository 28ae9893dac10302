// Relationship type alternation and type(r): how one person touches messages.
MATCH (p:Person {id: 933})-[r:LIKES|HAS_CREATOR]-(m)
RETURN type(r) AS kind, count(*) AS messages
ORDER BY kind
