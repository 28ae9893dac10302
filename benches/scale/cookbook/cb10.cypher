MATCH (x:Product {name: 'Lumen Core'})<-[:BOUGHT]-(c:Company)-[:BOUGHT]->(y:Product)
WHERE y <> x
RETURN y.name AS also_bought, count(DISTINCT c) AS customers
ORDER BY customers DESC, also_bought
