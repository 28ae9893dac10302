// Kuzu 0.11.3 crashes (segmentation fault) on all()/any()/none() over a
// collected list; the same answers from aggregates.
MATCH (p:Person)-[w:WORK_AT]->(:Organisation)
WITH p, min(w.workFrom) AS first, sum(CASE WHEN w.workFrom = 2010 THEN 1 ELSE 0 END) AS in2010
RETURN first >= 2005 AS allRecent, first < 2000 AS anyOld, in2010 = 0 AS no2010, count(*) AS people
ORDER BY people DESC
