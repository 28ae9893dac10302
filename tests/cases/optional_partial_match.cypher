CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (a)-[:K]->(b), (b)-[:K]->(c), (a)-[:K]->(c)
;
// The inner expansion binds y and then fails for some x: rows without a
// match must have y and z null, not values left from earlier rows.
MATCH (x:P) OPTIONAL MATCH (x)-[:K]->(y:P)-[:K]->(z:P) RETURN x.name AS x, y.name AS y, z.name AS z ORDER BY x, y, z
