// Pattern predicate in WHERE: friends of friends who are not friends
// (and not the person), ranked by the number of common friends.
MATCH (p:Person {id: 933})-[:KNOWS]-(f:Person)-[:KNOWS]-(fof:Person)
WHERE fof <> p AND NOT (p)-[:KNOWS]-(fof)
RETURN fof.id AS id, count(f) AS common
ORDER BY common DESC, id
LIMIT 20
