MATCH (n) RETURN n.x, n.y + count(*)
