UNWIND [1, 2, null, 2.5, 'x'] AS a
UNWIND [1, null, 3, 2] AS b
RETURN a, b,
  CASE WHEN a < b AND b > 1 THEN 'and'
       WHEN a = b OR a IS NULL THEN 'or'
       WHEN NOT (a <> b) THEN 'not'
       WHEN b IS NOT NULL XOR a > 1 THEN 'xor'
       ELSE 'else' END AS c
ORDER BY a, b
