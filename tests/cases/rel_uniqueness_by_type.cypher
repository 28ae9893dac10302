CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (a)-[:X {k: 1}]->(b), (a)-[:Y {k: 2}]->(b), (a)-[:Y {k: 3}]->(b), (a)-[:Z {k: 4}]->(b)
;
// Uniqueness is checked between relationships whose types can be the
// same (r1 and r3 share X, r1 and r2 share Y, r4 names none) and only
// there (r2 and r3 never meet): r3 is the X, so r1 and r2 are the two Ys,
// and r4 is what is left, the Z.
MATCH (a:N {name: 'a'})-[r1:X|Y]->(b), (a)-[r2:Y]->(b), (a)-[r3:X]->(b), (a)-[r4]->(b)
RETURN r1.k AS k1, r2.k AS k2, r3.k AS k3, r4.k AS k4 ORDER BY k1, k2, k3, k4
