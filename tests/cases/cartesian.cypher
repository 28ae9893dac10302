CREATE (:A {v: 1}), (:A {v: 2}), (:B {v: 10})
;
MATCH (a:A), (b:B) RETURN a.v + b.v AS s
