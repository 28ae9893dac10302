UNWIND range(1, 3000) AS i
WITH i % 1500 AS k, count(*) AS c
WITH k, c WHERE k % 2 = 1
RETURN k, c LIMIT 4
