CREATE (a:N {n: 'a'})-[:R]->(b:N {n: 'b'})-[:R]->(d:N {n: 'd'}), (a)-[:R]->(c:N {n: 'c'})-[:R]->(d)
;
MATCH (a:N {n: 'a'}), (d:N {n: 'd'}) MATCH p = allShortestPaths((a)-[:R*]->(d)) RETURN [x IN nodes(p) | x.n] AS path
