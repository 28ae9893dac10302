UNWIND [1, 1, 2, 3, 3, 3] AS x RETURN x, count(*) AS c ORDER BY count(*) DESC, x
