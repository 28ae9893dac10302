// sum() over no rows is 0 in openCypher (Neo4j too), next to count and avg.
MATCH (p:Person)-[w:WORK_AT]->(:Organisation)
WHERE w.workFrom > 3000
RETURN sum(w.workFrom) AS total, count(w) AS jobs, avg(w.workFrom) AS mean
