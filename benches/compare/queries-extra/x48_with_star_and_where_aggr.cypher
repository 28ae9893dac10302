// Two aggregation stages: forums per moderator, then the distribution.
MATCH (f:Forum)-[:HAS_MODERATOR]->(p:Person)
WITH p, count(f) AS forums
WITH forums, count(p) AS moderators
WHERE moderators > 1
RETURN forums, moderators
ORDER BY forums DESC
LIMIT 10
