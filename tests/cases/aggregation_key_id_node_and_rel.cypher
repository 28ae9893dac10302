CREATE (a:P {n: 1})-[:R]->(b:P {n: 2}), (b)-[:R]->(c:P {n: 3})
;
MATCH (a)-[r:R]->(b) UNWIND [a, r, b] AS x RETURN id(x) AS k, count(*) AS c ORDER BY k
