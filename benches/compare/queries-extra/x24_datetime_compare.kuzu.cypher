// Kuzu: timestamps built by adding intervals, date_part for components.
MATCH (f:Forum)-[:HAS_MODERATOR]->(p:Person {id: 933})
WITH f, timestamp(cast(make_date(f.creationDate / 10000000000000, (f.creationDate / 100000000000) % 100,
                  (f.creationDate / 1000000000) % 100), 'STRING')) + to_hours((f.creationDate / 10000000) % 100)
                  + to_minutes((f.creationDate / 100000) % 100) + to_seconds((f.creationDate / 1000) % 100) AS created
WHERE created > timestamp('2010-06-01 00:00:00')
RETURN f.title AS title, date_part('year', created) AS year, date_part('month', created) AS month, date_part('hour', created) AS hour
ORDER BY title
