// One row per supervisee: the supervision sessions they received, as list
// properties on their Staff node (session_supervisor_id: [string],
// session_date: [date], session_minutes: [float], session_row: [int]), replaced
// as a unit. On the wire each series is one string: supervisor ids joined by
// $sep (the ASCII unit separator), dates, minutes and row numbers by commas;
// null when none.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, [x IN split(row.date, ',') | date(x)] AS day, [x IN split(row.minutes, ',') | toFloat(x)] AS minutes,
  split(row.supervisor_id, $sep) AS sups
WITH s, row, day, minutes, sups, size(coalesce(s.session_date, [])) AS before, size(coalesce(day, [])) AS after,
  coalesce(s.session_date, []) = coalesce(day, [])
  AND coalesce(s.session_supervisor_id, []) = coalesce(sups, [])
  AND coalesce(s.session_minutes, []) = coalesce(minutes, []) AS same
SET s.session_supervisor_id = sups, s.session_date = day, s.session_minutes = minutes,
    s.session_row = [x IN split(row.ord, ',') | toInteger(x)]
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
