UNWIND range(1, 5) AS i CREATE (:P {i: i})
;
MATCH (p:P) RETURN sum(p.i) AS s
