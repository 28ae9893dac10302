// String functions: toUpper/toLower, left/right, size, STARTS WITH, ENDS WITH, CONTAINS.
MATCH (p:Person)
WHERE p.firstName STARTS WITH 'A' AND p.lastName CONTAINS 'an' AND NOT p.lastName ENDS WITH 'n'
RETURN p.id AS id, toUpper(p.firstName) AS up, toLower(p.lastName) AS low,
       left(p.firstName, 2) AS l2, right(p.lastName, 3) AS r3,
       size(p.firstName) + size(p.lastName) AS len
ORDER BY id
