// Date component access: birthday (yyyymmdd integer) through date({...}).month.
MATCH (p:Person)
WITH date({year: p.birthday / 10000, month: (p.birthday / 100) % 100, day: p.birthday % 100}) AS born
WHERE born >= date('1985-06-01') AND born < date('1990-06-01')
RETURN born.month AS month, count(*) AS people, min(born) AS earliest
ORDER BY month
