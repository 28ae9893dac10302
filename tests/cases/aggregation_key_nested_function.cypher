CREATE (:P {name: 'Ada', n: 1}), (:P {name: 'ADA', n: 2}), (:P {name: 'ada', n: 3}), (:P {name: 'Bob', n: 4}), (:P {n: 5}), (:P {name: 'bob', n: 6})
;
MATCH (p:P) WITH p ORDER BY p.n RETURN substring(toUpper(p.name), 0, 1) AS initial, collect(p.n) AS ns ORDER BY initial
