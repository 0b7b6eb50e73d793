// One row per person: their documentation series {staff_id, month: [date],
// session_hours: [float], documentation_hours: [float], ord: [int]} (null lists
// when none), stored as list properties on the Staff node and replaced as a unit.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, size(coalesce(s.documentation_month, [])) AS before, size(coalesce(row.month, [])) AS after,
  coalesce(s.documentation_month, []) = coalesce(row.month, [])
  AND coalesce(s.documentation_session_hours, []) = coalesce(row.session_hours, [])
  AND coalesce(s.documentation_hours, []) = coalesce(row.documentation_hours, []) AS same
SET s.documentation_month = row.month, s.documentation_session_hours = row.session_hours,
    s.documentation_hours = row.documentation_hours, s.documentation_row = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
