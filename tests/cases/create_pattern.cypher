CREATE p = (a:A {x: 1})-[:R {w: 2}]->(b:B) RETURN a.x, length(p) AS len
