CREATE (c:C {n: 1}), (d:C {n: 2}), (e:C {n: 3}), (v:V),
       (c)-[:R {x: 5}]->(v), (c)-[:R {x: 5}]->(v), (c)-[:R {x: 7}]->(v),
       (d)-[:R {x: 5}]->(v), (e)-[:R {x: 7}]->(v), (e)-[:R {x: 7}]->(v)
;
MATCH (c:C)-[r:R]->(:V)
WITH c, r.x AS x, count(*) AS k
RETURN c.n AS n, x, k ORDER BY n, x
