CREATE (:A:B {v: 1}), (:A {v: 2})
;
MATCH (n:A:B) RETURN n.v, labels(n) AS ls
