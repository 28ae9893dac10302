CREATE (:P {name: 'Ada', n: 1}), (:P {name: 'ADA', n: 2}), (:P {name: 'ada', n: 3}), (:P {name: 'Bob', n: 4}), (:P {n: 5}), (:P {name: 'bob', n: 6})
;
MATCH (p:P), (q:P) WHERE p.n = q.n - 1 RETURN size(p.name) + size(q.name) AS len, count(*) AS c ORDER BY len
