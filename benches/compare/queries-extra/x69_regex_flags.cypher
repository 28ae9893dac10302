// Case-insensitive regular expression and ORDER BY on a derived string.
MATCH (a:Person)
WHERE a.firstName =~ '(?i)jun.*' OR a.lastName =~ '.*(?i)WANG'
RETURN toLower(a.firstName) + ' ' + a.lastName AS name, a.id AS id
ORDER BY name, id
