// Anonymous nodes and relationships (-->), two outgoing hops of any type.
MATCH (p:Person {id: 933})-->()-->(y)
RETURN count(*) AS paths, count(DISTINCT y) AS endpoints
