RETURN 1 + 2 * 3 ^ 2 AS x
----
RETURN a OR b XOR c AND NOT d = e
----
RETURN 1 < 2 <= 3 > 0 AS chain
----
RETURN -2 ^ 2, - 2, -x, --5, -(5), 2 - -3
----
RETURN a IN [1, 2] = b STARTS WITH 'x' AS p
----
RETURN x IS NULL AND y IS NOT NULL OR z =~ 'a.*'
----
RETURN n.a.b[0][1..2][..3][4..], n:Person:Admin, (n).x
----
RETURN (1 + 2) * 3, 10 - 3 - 2, 10 - (3 - 2), 2 ^ 3 ^ 2
----
RETURN NOT NOT true, NOT a = b
