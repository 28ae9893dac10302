UNWIND [1, 2, 3] AS x RETURN x, CASE WHEN x < 2 THEN 'small' WHEN x = 2 THEN 'two' ELSE 'big' END AS size ORDER BY x
