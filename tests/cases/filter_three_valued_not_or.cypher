UNWIND [1, 2, null, 2.5, 'x'] AS a
UNWIND [1, null, 3, 2] AS b
WITH a, b WHERE NOT (a > b OR b IS NULL)
RETURN a, b ORDER BY a, b
