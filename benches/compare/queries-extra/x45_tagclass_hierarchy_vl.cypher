// Variable length up a hierarchy (*1..3) to a fixed root, grouped by the start.
MATCH (tc:TagClass)-[:IS_SUBCLASS_OF*1..3]->(root:TagClass {name: 'Thing'})
RETURN tc.name AS class
ORDER BY class
LIMIT 20
