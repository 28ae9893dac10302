// collect then UNWIND: the rows come back; with DISTINCT in between.
MATCH (p:Person {id: 933})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person)
WITH collect(fof.id) AS ids
UNWIND ids AS id
WITH DISTINCT id
RETURN count(*) AS distinctIds, sum(id) % 1000 AS checksum
