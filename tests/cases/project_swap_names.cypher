CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (a)-[:K]->(b), (b)-[:K]->(c), (a)-[:K]->(c)
;
MATCH (x:P)-[:K]->(y) WITH y AS x, x AS y RETURN x.name AS x, y.name AS y ORDER BY x, y
