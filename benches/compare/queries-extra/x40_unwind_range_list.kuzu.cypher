// Kuzu lists index from 1 and slice with list_slice (both ends inclusive).
UNWIND range(1, 12, 3) AS m
MATCH (p:Person)
WHERE (p.birthday / 100) % 100 = m
WITH m, count(*) AS people
RETURN m, people, [m, people, m * people][3] AS product, size(list_slice([m, people], 1, 1)) AS s
ORDER BY m
