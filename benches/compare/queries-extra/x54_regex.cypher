// Regular expression match (=~ matches the whole string).
MATCH (t:Tag)
WHERE t.name =~ 'A[a-z]+_[A-Z].*s'
RETURN t.name AS tag
ORDER BY tag
LIMIT 20
