CREATE (:X {v: 1}) WITH 1 AS one MATCH (x:X) RETURN x.v
