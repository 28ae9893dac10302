// UNWIND range(), list indexing and slicing, size of a list.
UNWIND range(1, 12, 3) AS m
MATCH (p:Person)
WHERE (p.birthday / 100) % 100 = m
WITH m, count(*) AS people
RETURN m, people, [m, people, m * people][2] AS product, size([m, people][0..1]) AS s
ORDER BY m
