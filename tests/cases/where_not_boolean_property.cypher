CREATE (:T {n: 1, flag: true}), (:T {n: 2, flag: false}), (:T {n: 3}), (:T {n: 5, flag: true})
;
MATCH (t:T) WHERE NOT t.flag RETURN t.n AS no ORDER BY no
