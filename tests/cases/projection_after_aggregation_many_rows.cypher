UNWIND range(1, 3000) AS i
WITH i % 1500 AS k, count(*) AS c
WITH k, c * 10 AS c10 WHERE k % 7 = 0
RETURN count(*) AS n, sum(c10) AS s, min(k) AS lo, max(k) AS hi
