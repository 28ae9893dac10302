// Kuzu: NOT EXISTS for a pattern predicate, COUNT { } for size([...]).
MATCH (b:Company)-[bc:CUSTOMER_OF]->(v:Company {name: 'Lumen CRM'})
WITH v, b, bc.revenue AS revenue
ORDER BY revenue DESC, b.name
LIMIT 10
MATCH (p:Company)
WHERE id(p) <> id(v) AND NOT EXISTS { MATCH (p)-[:CUSTOMER_OF]->(v) }
WITH p, b,
     CASE WHEN p.industry = b.industry THEN 1 ELSE 0 END AS same_industry,
     CASE WHEN p.size >= b.size / 2 AND p.size <= b.size * 2 THEN 1 ELSE 0 END AS similar_size,
     COUNT { MATCH (p)-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(b) } AS shared_interests
WITH p, sum(same_industry) AS industry_matches, sum(similar_size) AS size_matches,
     sum(shared_interests) AS interest_matches
RETURN p.name AS prospect, p.industry AS industry, p.size AS size,
       industry_matches, size_matches, interest_matches,
       industry_matches + size_matches + interest_matches AS similarity
ORDER BY similarity DESC, prospect
LIMIT 10
