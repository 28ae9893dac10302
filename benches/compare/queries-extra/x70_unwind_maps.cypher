// UNWIND a list of maps, map property access, join on a map value.
UNWIND [{country: 'India', min: 3}, {country: 'China', min: 4}, {country: 'Nowhere', min: 0}] AS m
MATCH (c:Place {name: m.country})<-[:IS_PART_OF]-(city:Place)<-[:IS_LOCATED_IN]-(p:Person)
WITH m, city, count(p) AS people
WHERE people >= m.min
RETURN m.country AS country, city.name AS cityName, people
ORDER BY people DESC, cityName
