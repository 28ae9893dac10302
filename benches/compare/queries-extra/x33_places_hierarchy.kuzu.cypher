// Kuzu 0.11.3 returns 0 for count(p) after count(DISTINCT ...) in the same
// projection; computing count(p) first gives the openCypher answer.
MATCH (p:Person)-[:IS_LOCATED_IN]->(city:Place)-[:IS_PART_OF]->(country:Place)-[:IS_PART_OF]->(cont:Place)
WITH cont.name AS continent, count(p) AS people, count(DISTINCT country) AS countries
RETURN continent, countries, people
ORDER BY people DESC
