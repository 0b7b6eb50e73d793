// The org as it stood on $as_of: every HOLDS, SUPERVISED_BY and IN_PROGRAM
// relationship holding that day whose staff ends were employed that day.
// `to` is null for relationships still ongoing.
// Parameters, each checked against its line before the query runs
// (orgraph.store.cypher.parameters; name, type, allowed range, meaning):
//   $as_of  date  1900-01-01..9000-12-31  the day asked about
// $org, the org's name, and $open_end are set by orgraph.
MATCH (a)-[r:HOLDS|SUPERVISED_BY|IN_PROGRAM]->(b)
WHERE a.org = $org AND r.from <= $as_of AND $as_of <= r.to
  AND (NOT a:Staff OR (a.hire_date <= $as_of AND (a.termination_date IS NULL OR $as_of <= a.termination_date)))
  AND (NOT b:Staff OR (b.hire_date <= $as_of AND (b.termination_date IS NULL OR $as_of <= b.termination_date)))
RETURN type(r) AS kind,
  CASE WHEN a:Staff THEN 'staff:' + a.staff_id ELSE 'position:' + a.position_id END AS source,
  CASE WHEN b:Staff THEN 'staff:' + b.staff_id WHEN b:Position THEN 'position:' + b.position_id
    ELSE 'program:' + b.program_id END AS target,
  r.from AS from, CASE WHEN r.to = $open_end THEN null ELSE r.to END AS to
ORDER BY kind, source, target, from
