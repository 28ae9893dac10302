// Kuzu: interval() for duration().
MATCH (m:Meta), (me:Person {me: true})-[:KNOWS]-(f:Person)-[:LIKES]->(movie:Content {kind: 'movie'})
WHERE f.city = me.city AND movie.published >= m.today - interval('180 days')
RETURN f.id AS id, f.name AS friend, f.city AS city, count(movie) AS new_movies_liked
ORDER BY new_movies_liked DESC, id
