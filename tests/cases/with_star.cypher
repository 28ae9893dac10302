UNWIND [1, 2] AS x WITH *, x * 2 AS y RETURN x, y
