// Classmates: two people at the same university with the same class year
// (relationship properties compared across two relationships).
MATCH (a:Person)-[s1:STUDY_AT]->(u:Organisation)<-[s2:STUDY_AT]-(b:Person)
WHERE s1.classYear = s2.classYear AND a.id < b.id
RETURN u.name AS university, s1.classYear AS year, count(*) AS pairs
ORDER BY pairs DESC, university, year
LIMIT 10
