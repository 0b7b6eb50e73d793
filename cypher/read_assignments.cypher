// Every HOLDS interval; `to` is $open_end while ongoing.
MATCH (s:Staff)-[r:HOLDS]->(p:Position)
RETURN s.staff_id AS staff_id, p.position_id AS position_id, r.from AS from, r.to AS to
ORDER BY r.ord, staff_id, from
