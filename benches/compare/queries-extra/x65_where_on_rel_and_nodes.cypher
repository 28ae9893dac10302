// WHERE over properties of a relationship and both its ends, with OR/NOT.
MATCH (a:Person)-[k:KNOWS]->(b:Person)
WHERE (a.gender <> b.gender OR a.browserUsed = b.browserUsed) AND NOT k.creationDate < 20120601000000000
RETURN a.gender AS ga, b.gender AS gb, count(*) AS n
ORDER BY ga, gb
