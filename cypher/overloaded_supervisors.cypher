// Supervisors whose span of control on $as_of (people they directly supervise
// that day) is above $max_span.
// Parameters, each checked against its line before the query runs
// (orgraph.store.cypher.parameters; name, type, allowed range, meaning):
//   $as_of     date  1900-01-01..9000-12-31  the day asked about
//   $max_span  int   0..100000               direct supervisees above which a supervisor is listed
// $org, the org's name, is set by orgraph.
MATCH (s:Staff {org: $org})-[r:SUPERVISED_BY]->(sup:Staff)
WHERE r.from <= $as_of AND $as_of <= r.to
WITH DISTINCT sup, s
ORDER BY s.staff_id
WITH sup, collect(s.staff_id) AS supervisees
WHERE size(supervisees) > $max_span
RETURN sup.staff_id AS supervisor_id, sup.name AS name, size(supervisees) AS span, supervisees
ORDER BY span DESC, supervisor_id
