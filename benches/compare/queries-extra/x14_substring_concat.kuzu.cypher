// Kuzu's substring counts from 1.
MATCH (o:Organisation)
WHERE o.type = 'Company' AND o.name STARTS WITH 'Air'
RETURN o.name AS name, substring(o.name, 4, 4) AS part, trim('  ' + o.type + ' ') AS t,
       o.name + '@' + o.type AS tagline
ORDER BY name
LIMIT 20
