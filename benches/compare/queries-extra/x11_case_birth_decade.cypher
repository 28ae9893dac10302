// CASE (searched form) over an integer birthday (yyyymmdd).
MATCH (p:Person)
RETURN CASE
         WHEN p.birthday < 19850101 THEN 'before 1985'
         WHEN p.birthday < 19900101 THEN '1985-1989'
         ELSE '1990 or later'
       END AS era,
       p.gender AS gender, count(*) AS people
ORDER BY era, gender
