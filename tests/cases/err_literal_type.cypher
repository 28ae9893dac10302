RETURN properties(1)
