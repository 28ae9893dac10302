// Integer date-time arithmetic: KNOWS creationDate (yyyymmddhhmmssmmm) by year
// and quarter, with a range comparison.
MATCH (a:Person)-[k:KNOWS]->(b:Person)
WHERE k.creationDate >= 20100601000000000 AND k.creationDate < 20120101000000000
WITH k.creationDate / 10000000000000 AS year, ((k.creationDate / 100000000000) % 100 - 1) / 3 + 1 AS quarter
RETURN year, quarter, count(*) AS friendships
ORDER BY year, quarter
