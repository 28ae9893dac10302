// List predicates all/any/none over a collected list.
MATCH (p:Person)-[w:WORK_AT]->(:Organisation)
WITH p, collect(w.workFrom) AS years
RETURN all(y IN years WHERE y >= 2005) AS allRecent, any(y IN years WHERE y < 2000) AS anyOld,
       none(y IN years WHERE y = 2010) AS no2010, count(*) AS people
ORDER BY people DESC
