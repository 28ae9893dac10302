CREATE (:T {n: 1, flag: true}), (:T {n: 2, flag: false}), (:T {n: 3})
;
MATCH (t:T)
WITH t, t.flag AS f
RETURN t.n AS n,
  CASE WHEN t.flag THEN 'prop' ELSE 'no' END AS by_prop,
  CASE WHEN f THEN 'var' ELSE 'no' END AS by_var,
  CASE WHEN NOT t.flag THEN 'not' WHEN t.flag IS NULL THEN 'null' ELSE 'else' END AS negated,
  CASE WHEN t.flag AND t.n > 0 THEN 'and' WHEN t.flag OR t.n = 3 THEN 'or' ELSE 'neither' END AS combined,
  sum(CASE WHEN t.flag THEN 1 ELSE 0 END) AS counted
ORDER BY n
