// Every SUPERVISED_BY interval; `to` is $open_end while ongoing.
MATCH (s:Staff)-[r:SUPERVISED_BY]->(sup:Staff)
RETURN s.staff_id AS staff_id, sup.staff_id AS supervisor_id, r.from AS from, r.to AS to
ORDER BY r.ord, staff_id, from
