UNWIND [1, 1, 2] AS k MERGE (n:K {k: k})
;
MATCH (n:K) RETURN count(n) AS c
