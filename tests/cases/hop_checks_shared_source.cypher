CREATE (a:N {n: 1}), (b:N {n: 2}), (c:N {n: 3}), (d:N {n: 4}), (e:M {n: 5}),
       (a)-[:T]->(b), (a)-[:T]->(b), (b)-[:T]->(a), (a)-[:T]->(a), (a)-[:U]->(c),
       (c)-[:T]->(a), (d)-[:T]->(b), (e)-[:T]->(a), (a)-[:T]->(e)
;
// One end of the checked hop is the same for every row (x), the other
// changes: the run counts x's relationships once by their other end
// (HopCache). Parallel relationships, a self-loop (once when undirected),
// two types, and a node of another label.
MATCH (x:N {n: 1}), (y) RETURN y.n AS y, size([(x)-[:T]-(y) | 1]) AS both, size([(x)-[:T]->(y) | 1]) AS out, size([(x)<-[:T]-(y) | 1]) AS into, size([(x)-[:T|U]-(y) | 1]) AS any, exists((x)-[:U]->(y)) AS u, NOT exists((x)-[:T]-(y)) AS none ORDER BY y
