// Aggregates over no rows: one row; count is 0, min/max/avg are null,
// collect is []. (sum is left out: Kuzu returns null where openCypher gives 0.)
MATCH (p:Person)
WHERE p.id < 0
RETURN count(p) AS n, count(*) AS rows, min(p.id) AS lo, max(p.birthday) AS hi, avg(p.id) AS mean, collect(p.id) AS ids
