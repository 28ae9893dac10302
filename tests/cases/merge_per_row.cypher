UNWIND [1, 1, 2] AS k MERGE (n:K {k: k}) RETURN count(*) AS rows
