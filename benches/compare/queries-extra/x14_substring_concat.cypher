// substring (0-based in Cypher, 1-based in Kuzu), string concatenation, trim.
// trim is applied to ASCII text only: Kuzu 0.11.3's trim returns invalid
// UTF-8 for some non-ASCII strings (e.g. 'Air_Algérie').
MATCH (o:Organisation)
WHERE o.type = 'Company' AND o.name STARTS WITH 'Air'
RETURN o.name AS name, substring(o.name, 3, 4) AS part, trim('  ' + o.type + ' ') AS t,
       o.name + '@' + o.type AS tagline
ORDER BY name
LIMIT 20
