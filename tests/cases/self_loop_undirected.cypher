CREATE (a:L)-[:R]->(a)
;
MATCH (n)-[r]-(m) RETURN count(*) AS c
