// datetime values built from integer properties, compared and ordered.
MATCH (f:Forum)-[:HAS_MODERATOR]->(p:Person {id: 933})
WITH f, datetime({year: f.creationDate / 10000000000000, month: (f.creationDate / 100000000000) % 100,
                  day: (f.creationDate / 1000000000) % 100, hour: (f.creationDate / 10000000) % 100,
                  minute: (f.creationDate / 100000) % 100, second: (f.creationDate / 1000) % 100}) AS created
WHERE created > datetime('2010-06-01T00:00:00')
RETURN f.title AS title, created.year AS year, created.month AS month, created.hour AS hour
ORDER BY title
