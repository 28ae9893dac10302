// Math on aggregates: abs, round, sqrt, integer division and modulo with
// negatives, float arithmetic.
MATCH (p:Person)-[:HAS_INTEREST]->(t:Tag)
WITH p, count(t) AS n
RETURN round(avg(n) * 100) / 100.0 AS mean, sqrt(toFloat(max(n))) AS root,
       abs(min(n) - max(n)) AS spread, (min(n) - max(n)) / 7 AS q, (min(n) - max(n)) % 7 AS r
