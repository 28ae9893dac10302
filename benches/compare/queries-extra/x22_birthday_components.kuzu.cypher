// Kuzu: make_date and date_part instead of date({...}) and .month.
MATCH (p:Person)
WITH make_date(p.birthday / 10000, (p.birthday / 100) % 100, p.birthday % 100) AS born
WHERE born >= date('1985-06-01') AND born < date('1990-06-01')
RETURN date_part('month', born) AS month, count(*) AS people, min(born) AS earliest
ORDER BY month
