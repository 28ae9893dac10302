MATCH (c:Company)-[co:CUSTOMER_OF]->(:Company {name: 'Lumen CRM'}),
      (c)-[:OPENED_TICKET]->(t:Ticket)
WITH c, co.revenue AS revenue, count(t) AS tickets,
     sum(CASE WHEN t.escalated THEN 1 ELSE 0 END) AS escalations,
     sum(t.cost) AS support_cost
WHERE support_cost > revenue
RETURN c.name AS customer, revenue, tickets, escalations, support_cost, support_cost - revenue AS loss
ORDER BY loss DESC, customer
