CREATE (:N {a: 1, b: 2})
;
MATCH (n:N) SET n.c = 3, n += {d: 4}, n:Extra RETURN n
