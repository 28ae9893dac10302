// Strings ordered by code point, including non-ASCII names; DISTINCT and SKIP.
MATCH (c:Place {type: 'City'})
WHERE c.name >= 'Z' OR c.name < 'Ab'
RETURN DISTINCT c.name AS name
ORDER BY name DESC
SKIP 3
LIMIT 20
