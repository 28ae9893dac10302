CREATE (a:N {i: 1}), (b:N {i: 2}), (c:N {i: 3}), (a)-[:R]->(b), (b)-[:R]->(c)
;
// Nodes and relationships compared are equal when they are the
// same one; a node is never a relationship, and null compares to null.
MATCH (x:N), (y:N)
OPTIONAL MATCH (x)-[r:R]->()
OPTIONAL MATCH (y)-[s:R]->()
RETURN count(CASE WHEN x <> y THEN 1 END) AS differ,
       count(CASE WHEN x = y THEN 1 END) AS same,
       count(CASE WHEN r = s THEN 1 END) AS same_rel,
       count(CASE WHEN r <> s THEN 1 END) AS differ_rel,
       count(CASE WHEN x = r THEN 1 END) AS node_is_rel
