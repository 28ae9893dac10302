// Three-valued logic with nulls from OPTIONAL MATCH: AND/OR/NOT/XOR and
// WHERE dropping null.
MATCH (p:Person)
WHERE p.id < 5000
OPTIONAL MATCH (p)-[w:WORK_AT]->(:Organisation)
WITH p, w.workFrom > 2005 AS recent
RETURN recent, recent AND p.gender = 'male' AS a, recent OR p.gender = 'male' AS o,
       NOT recent AS n, recent XOR true AS x, count(*) AS rows
ORDER BY rows, a, o
