// 2 hops up the tag class hierarchy, grouped.
MATCH (:Tag)-[:HAS_TYPE]->(:TagClass)-[:IS_SUBCLASS_OF]->(sup:TagClass)
RETURN sup.name AS class, count(*) AS tags
ORDER BY tags DESC, class
LIMIT 5
