UNWIND range(1, 3000) AS i
WITH i % 1500 AS k, count(*) AS c
WITH k, k + c AS kc WHERE k % 2 = 1
RETURN kc ORDER BY kc DESC LIMIT 3
