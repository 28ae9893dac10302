// Kuzu 0.11.3's sum() over no rows is null; openCypher's is 0.
MATCH (p:Person)-[w:WORK_AT]->(:Organisation)
WHERE w.workFrom > 3000
RETURN coalesce(sum(w.workFrom), 0) AS total, count(w) AS jobs, avg(w.workFrom) AS mean
