CREATE (:N:M {a: 1, b: 2})
;
MATCH (n:N) REMOVE n.a, n:M RETURN n
