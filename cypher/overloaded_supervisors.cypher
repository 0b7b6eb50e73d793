// Supervisors whose span of control on $as_of (people they directly supervise
// that day) is above $max_span.
// Parameters: $as_of (date), $max_span (int).
MATCH (s:Staff)-[r:SUPERVISED_BY]->(sup:Staff)
WHERE r.from <= $as_of AND $as_of <= r.to
WITH DISTINCT sup, s
ORDER BY s.staff_id
WITH sup, collect(s.staff_id) AS supervisees
WHERE size(supervisees) > $max_span
RETURN sup.staff_id AS supervisor_id, sup.name AS name, size(supervisees) AS span, supervisees
ORDER BY span DESC, supervisor_id
