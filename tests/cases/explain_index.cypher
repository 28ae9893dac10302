CREATE INDEX FOR (p:Person) ON (p.email)
;
CREATE (:Person {email: 'a@x'}), (:Person {email: 'b@x'}), (:Company {name: 'c'})
;
EXPLAIN MATCH (p:Person {email: 'a@x'}) RETURN p.email
