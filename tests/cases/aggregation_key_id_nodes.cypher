CREATE (a:P {n: 1})-[:R]->(b:P {n: 2}), (c:P {n: 3})-[:R]->(b), (a)-[:R]->(c)
;
MATCH (p:P)-[:R]->(q) RETURN id(q) AS k, count(DISTINCT p) AS c, collect(p.n) AS ns ORDER BY k
