CREATE (a:N {n: 1}), (b:N {n: 2}), (c:N {n: 3}), (d:N {n: 4}), (e:M {n: 5}),
       (a)-[:T]->(b), (a)-[:T]->(b), (b)-[:T]->(a), (a)-[:T]->(a), (a)-[:U]->(c),
       (c)-[:T]->(a), (d)-[:T]->(b), (e)-[:T]->(a), (a)-[:T]->(e)
;
// The target of the checked hop is the same for every row (x): the run
// counts x's relationships once, read against the hop's direction
// (HopCache built from the target side).
MATCH (y), (x:N {n: 1}) RETURN y.n AS y, size([(y)-[:T]->(x) | 1]) AS out, size([(y)-[:T]-(x) | 1]) AS both, size([(y)<-[:T]-(x) | 1]) AS into, NOT exists((y)-[:T|U]->(x)) AS none ORDER BY y
