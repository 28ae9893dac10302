// Kuzu's round takes the number of decimals; cast instead of toFloat.
MATCH (p:Person)-[:HAS_INTEREST]->(t:Tag)
WITH p, count(t) AS n
RETURN round(avg(n) * 100, 0) / 100.0 AS mean, sqrt(cast(max(n), 'DOUBLE')) AS root,
       abs(min(n) - max(n)) AS spread, (min(n) - max(n)) / 7 AS q, (min(n) - max(n)) % 7 AS r
