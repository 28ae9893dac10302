// A grouped aggregate over no rows returns no rows.
MATCH (p:Person)
WHERE p.firstName = 'NoSuchName'
RETURN p.gender AS gender, count(*) AS n
