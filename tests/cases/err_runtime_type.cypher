UNWIND [1, 'a'] AS x RETURN x * 2 AS y
