RETURN $nope
