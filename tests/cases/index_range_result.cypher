CREATE INDEX FOR (p:Person) ON (p.age)
;
UNWIND range(1, 10) AS i CREATE (:Person {age: i})
;
MATCH (p:Person) WHERE p.age >= 8 RETURN p.age
