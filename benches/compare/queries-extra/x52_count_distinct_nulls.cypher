// count(DISTINCT x) ignores nulls from OPTIONAL MATCH; count(*) does not.
MATCH (c:Place {type: 'City'})<-[:IS_LOCATED_IN]-(p:Person)
OPTIONAL MATCH (p)-[:STUDY_AT]->(u:Organisation)
RETURN c.name AS city, count(*) AS rows, count(u) AS withSchool, count(DISTINCT u) AS schools
ORDER BY rows DESC, city
LIMIT 10
