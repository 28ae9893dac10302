CREATE (:P {name: 'Ada', n: 1}), (:P {name: 'ADA', n: 2}), (:P {name: 'ada', n: 3}), (:P {name: 'Bob', n: 4}), (:P {n: 5}), (:P {name: 'bob', n: 6})
;
MATCH (p:P) RETURN toLower(p.name) AS k, count(*) AS c, sum(p.n) AS s ORDER BY k
