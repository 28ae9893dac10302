// 3 hops: every KNOWS path of length 3 from one person (relationships distinct).
MATCH (p:Person {id: 933})-[r1:KNOWS]-(:Person)-[r2:KNOWS]-(:Person)-[r3:KNOWS]-(x:Person)
RETURN count(*) AS paths
