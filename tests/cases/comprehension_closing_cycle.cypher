CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (t1:T {name: 't1'}), (t2:T {name: 't2'}), (x:X {name: 'x'}), (a)-[:K]->(t1), (a)-[:K]->(t1), (a)-[:K]->(t2), (b)-[:K]->(t1), (b)-[:K]->(x), (a)-[:K]->(x), (c)-[:K]->(c), (c)-[:K]->(t2), (t2)-[:K]->(c)
;
MATCH (p:P), (q:P) WHERE p.name <= q.name RETURN p.name AS p, q.name AS q, size([(p)-[:K]->(t:T)<-[:K]-(q) | t.name]) AS shared, [(p)-[r1:K]->(m)<-[r2:K]-(q) | m.name] AS middles, size([(p)-[:K]-(m)-[:K]-(q) | m]) AS undirected ORDER BY p, q
