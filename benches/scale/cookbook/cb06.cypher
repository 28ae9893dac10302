MATCH (c:Company)-[co:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'})
WITH c, co.revenue AS revenue,
     size([(c)-[:REFERRED]->(x:Company) | x]) AS referrals,
     size([(c)-[:OPENED_TICKET]->(t:Ticket {kind: 'bug'}) | t]) AS bugs,
     size([(c)-[:GAVE_REFERENCE]->(x:Company) | x]) AS reference_calls,
     CASE WHEN co.exclusive THEN 1 ELSE 0 END AS exclusive
RETURN c.name AS customer, revenue, referrals, bugs, reference_calls, exclusive,
       revenue + 5000 * referrals + 1000 * bugs + 3000 * reference_calls + 10000 * exclusive AS value
ORDER BY value DESC, customer
LIMIT 10
