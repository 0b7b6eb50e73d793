// One row per person: their documentation series as list properties on their
// Staff node (documentation_month: [date], documentation_session_hours: [float],
// documentation_hours: [float], documentation_row: [int]), replaced as a unit.
// On the wire each series is one comma-separated string, null when none.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, [x IN split(row.month, ',') | date(x)] AS month,
  [x IN split(row.session_hours, ',') | toFloat(x)] AS session_hours,
  [x IN split(row.documentation_hours, ',') | toFloat(x)] AS doc_hours
WITH s, row, month, session_hours, doc_hours, size(coalesce(s.documentation_month, [])) AS before,
  size(coalesce(month, [])) AS after,
  coalesce(s.documentation_month, []) = coalesce(month, [])
  AND coalesce(s.documentation_session_hours, []) = coalesce(session_hours, [])
  AND coalesce(s.documentation_hours, []) = coalesce(doc_hours, []) AS same
SET s.documentation_month = month, s.documentation_session_hours = session_hours,
    s.documentation_hours = doc_hours, s.documentation_row = [x IN split(row.ord, ',') | toInteger(x)]
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
