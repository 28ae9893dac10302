// Kuzu 0.11.3 returns null for collect() over no rows; openCypher gives [].
MATCH (p:Person)
WHERE p.id < 0
RETURN count(p) AS n, count(*) AS rows, min(p.id) AS lo, max(p.birthday) AS hi, avg(p.id) AS mean, coalesce(collect(p.id), []) AS ids
