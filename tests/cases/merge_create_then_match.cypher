MERGE (a:A {k: 1}) ON CREATE SET a.created = true
;
MERGE (a:A {k: 1}) ON MATCH SET a.matched = true RETURN a.k, a.created, a.matched
