CREATE INDEX FOR (p:Person) ON (p.email)
;
CREATE (:Person {email: 'a@x', n: 1}), (:Person {email: 'b@x', n: 2})
;
MATCH (p:Person) WHERE p.email = 'b@x' RETURN p.n
