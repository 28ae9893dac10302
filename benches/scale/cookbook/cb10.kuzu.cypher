// Kuzu: node inequality by id.
MATCH (x:Product {name: 'Lumen Core'})<-[:BOUGHT]-(c:Company)-[:BOUGHT]->(y:Product)
WHERE id(y) <> id(x)
RETURN y.name AS also_bought, count(DISTINCT c) AS customers
ORDER BY customers DESC, also_bought
