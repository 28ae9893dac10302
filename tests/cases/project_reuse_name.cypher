CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (a)-[:K]->(b), (b)-[:K]->(c), (a)-[:K]->(c)
;
MATCH (x:P) WITH x.name AS x UNWIND [x, x + '!'] AS x2 RETURN x2 ORDER BY x2
