RETURN date('2024-03-01') + duration('P1M') AS d, date('2024-03-01').year AS y
