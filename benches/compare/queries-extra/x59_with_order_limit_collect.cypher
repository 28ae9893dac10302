// WITH ... ORDER BY ... LIMIT per pipeline stage, then aggregation over the
// kept rows: the 20 oldest people's browsers.
MATCH (p:Person)
WITH p
ORDER BY p.birthday, p.id
LIMIT 20
RETURN p.browserUsed AS browser, count(*) AS people, min(p.birthday) AS oldest
ORDER BY people DESC, browser
