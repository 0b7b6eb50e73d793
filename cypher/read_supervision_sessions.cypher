// The supervision sessions each person received, each list as one string whose
// every item is preceded by a separator: $sep for supervisor ids, a comma for
// dates, minutes and row numbers.
MATCH (s:Staff)
WHERE s.session_date IS NOT NULL
RETURN s.staff_id AS staff_id,
  reduce(acc = '', x IN s.session_supervisor_id | acc + $sep + x) AS supervisor_id,
  reduce(acc = '', x IN s.session_date | acc + ',' + toString(x)) AS date,
  reduce(acc = '', x IN s.session_minutes | acc + ',' + toString(x)) AS minutes,
  reduce(acc = '', x IN s.session_row | acc + ',' + toString(x)) AS ord
