CREATE (:T {n: 1, flag: true}), (:T {n: 4, flag: 'yes'})
;
MATCH (t:T) WHERE t.flag RETURN t.n
