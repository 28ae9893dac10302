RETURN CASE n.x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END, CASE WHEN a THEN b END
----
RETURN [x IN range(1, 10) WHERE x % 2 = 0 | x * x], [x IN list], [x IN list | x.name]
----
MATCH (a) RETURN [(a)-[:KNOWS]->(b) WHERE b.age > 1 | b.name], [p = (a)-->() | p]
----
RETURN all(x IN l WHERE x > 0), any(x IN l WHERE x), none(x IN l WHERE x), single(x IN l WHERE x)
----
RETURN reduce(acc = 0, x IN [1, 2, 3] | acc + x) AS total
----
MATCH (a), (b) WHERE NOT (a)-[:KNOWS]->(b) AND (a)<--(:X) RETURN a
----
MATCH (n) WHERE exists((n)-->()) AND exists(n.name) RETURN n
----
MATCH (n) WHERE EXISTS { (n)-[:R]->(:B) } RETURN n
----
MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WHERE n.prop = m.prop RETURN true } RETURN n
----
RETURN count(*), count(DISTINCT n.x), collect(n), duration.between(a, b), toUpper('x'), date()
----
MATCH (n) RETURN n{.name, .*, age: n.age + 1, other}
----
RETURN n.count, n.end, n.`weird key`, `weird var`
----
MATCH (n) WHERE n.date >= date() - duration({days: 90}) RETURN n.date.year
