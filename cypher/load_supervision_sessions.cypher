// One row per supervisee: the supervision sessions they received
// {staff_id, supervisor_id: [string], date: [date], minutes: [float], ord: [int]}
// (null lists when none), stored as list properties on the supervisee's Staff
// node and replaced as a unit.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, size(coalesce(s.session_date, [])) AS before, size(coalesce(row.date, [])) AS after,
  coalesce(s.session_date, []) = coalesce(row.date, [])
  AND coalesce(s.session_supervisor_id, []) = coalesce(row.supervisor_id, [])
  AND coalesce(s.session_minutes, []) = coalesce(row.minutes, []) AS same
SET s.session_supervisor_id = row.supervisor_id, s.session_date = row.date, s.session_minutes = row.minutes,
    s.session_row = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
