RETURN count(count(*))
