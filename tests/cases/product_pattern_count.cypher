CREATE (a:C {n: 1}), (b:C {n: 2}), (c:C {n: 3}), (t1:T), (t2:T), (u:U),
       (a)-[:I]->(t1), (a)-[:I]->(t1), (a)-[:I]->(t2), (a)-[:I]->(u),
       (b)-[:I]->(t1), (b)-[:I]->(u), (c)-[:I]->(t2)
;
UNWIND range(1, 6000) AS i CREATE (:C {n: 100 + i})
;
// A pattern counted per pair of a product big enough to be taken a
// chunk of build rows at a time: pairs through two relationships of `a`
// to t1 count each with each (2 x 1 with b, 2 x 2 less the two that use
// one relationship twice with a itself), and u, not a Topic, counts for
// none. Per y, the sum over x of a, b and c: a 2 + 2 + 1, b 2, c 1.
MATCH (x:C) WITH x ORDER BY x.n LIMIT 3
MATCH (y:C)
WITH y, x, size([(y)-[:I]->(t:T)<-[:I]-(x) | t]) AS shared
WITH y, sum(shared) AS pairs, count(*) AS rows
RETURN y.n AS y, pairs, rows ORDER BY pairs DESC, y LIMIT 4
