// One row per clinician: their client assignments {staff_id, client_id: [string],
// start: [date], end: [date] ($open_end while ongoing), ord: [int]} (null lists
// when none), stored as list properties on the Staff node and replaced as a unit.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, size(coalesce(s.client_id, [])) AS before, size(coalesce(row.client_id, [])) AS after,
  coalesce(s.client_id, []) = coalesce(row.client_id, [])
  AND coalesce(s.client_start, []) = coalesce(row.start, [])
  AND coalesce(s.client_end, []) = coalesce(row.end, []) AS same
SET s.client_id = row.client_id, s.client_start = row.start, s.client_end = row.end, s.client_row = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
