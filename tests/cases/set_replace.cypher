CREATE (:N {a: 1, b: 2})
;
MATCH (n:N) SET n = {z: 26} RETURN n
