// Three levels of places: people per continent, with the number of countries.
MATCH (p:Person)-[:IS_LOCATED_IN]->(city:Place)-[:IS_PART_OF]->(country:Place)-[:IS_PART_OF]->(cont:Place)
RETURN cont.name AS continent, count(DISTINCT country) AS countries, count(p) AS people
ORDER BY people DESC
