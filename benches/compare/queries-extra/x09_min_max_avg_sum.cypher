// min/max/avg/sum of a relationship property, grouped by the company's country.
MATCH (p:Person)-[w:WORK_AT]->(o:Organisation)-[:IS_LOCATED_IN]->(c:Place)
RETURN c.name AS country, min(w.workFrom) AS first, max(w.workFrom) AS last,
       avg(w.workFrom) AS mean, sum(w.workFrom) AS total, count(*) AS jobs
ORDER BY jobs DESC, country
LIMIT 10
