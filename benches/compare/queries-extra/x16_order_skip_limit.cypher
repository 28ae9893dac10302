// ORDER BY several keys, mixed directions, with SKIP and LIMIT.
MATCH (p:Person)
RETURN p.lastName AS last, p.firstName AS first, p.id AS id
ORDER BY last DESC, first, id DESC
SKIP 40
LIMIT 15
