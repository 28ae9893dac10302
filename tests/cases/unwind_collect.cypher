UNWIND [3, 1, 2] AS x WITH x ORDER BY x RETURN collect(x) AS xs
