RETURN nosuchfn(1)
