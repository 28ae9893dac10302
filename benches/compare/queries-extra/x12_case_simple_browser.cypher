// CASE (simple form) with a missing ELSE (null), grouped.
MATCH (p:Person)
RETURN CASE p.browserUsed WHEN 'Firefox' THEN 'fx' WHEN 'Chrome' THEN 'ch' END AS b,
       count(*) AS people
ORDER BY people
