CREATE (:C {n: 1, size: 10, ind: 'a'}), (:C {n: 2, size: 40, ind: 'b'}), (:C {n: 3, ind: 'a'}), (:C {n: 4, size: 9}), (:K {n: 10, size: 20, ind: 'a'}), (:K {n: 11, size: 5, ind: 'b'}), (:K {n: 12, ind: 'a'})
;
// Every company is compared with each of three others in a product: the
// companies' properties (c.ind, c.size) are read once per build row, when
// the build is made, the others' (k.ind, k.size) once per incoming row;
// a missing property reads as null on either side.
MATCH (k:K) WITH k ORDER BY k.n LIMIT 3 MATCH (c:C) WITH k, c, CASE WHEN c.ind = k.ind THEN 1 ELSE 0 END AS same, CASE WHEN c.size >= k.size / 2 AND c.size <= k.size * 2 THEN 1 ELSE 0 END AS similar RETURN c.n AS c, sum(same) AS same, sum(similar) AS similar, collect(c.size) AS sizes ORDER BY c
