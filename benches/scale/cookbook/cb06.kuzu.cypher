// Kuzu: COUNT { } for size([...]); `= true` (CASE WHEN on a BOOLEAN
// relationship property was seen to give wrong rows).
MATCH (c:Company)-[co:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'})
WITH c, co.revenue AS revenue,
     COUNT { MATCH (c)-[:REFERRED]->(x:Company) } AS referrals,
     COUNT { MATCH (c)-[:OPENED_TICKET]->(t:Ticket {kind: 'bug'}) } AS bugs,
     COUNT { MATCH (c)-[:GAVE_REFERENCE]->(x:Company) } AS reference_calls,
     CASE WHEN co.exclusive = true THEN 1 ELSE 0 END AS exclusive
RETURN c.name AS customer, revenue, referrals, bugs, reference_calls, exclusive,
       revenue + 5000 * referrals + 1000 * bugs + 3000 * reference_calls + 10000 * exclusive AS value
ORDER BY value DESC, customer
LIMIT 10
