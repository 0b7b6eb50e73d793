// Each person's caseload series. Dates and integers come back as one
// comma-separated string per series, each item preceded by a comma (",2024-01-01,2024-02-01").
MATCH (s:Staff)
WHERE s.caseload_month IS NOT NULL
RETURN s.staff_id AS staff_id,
  reduce(acc = '', x IN s.caseload_month | acc + ',' + toString(x)) AS month,
  reduce(acc = '', x IN s.caseload_active_clients | acc + ',' + toString(x)) AS active_clients,
  reduce(acc = '', x IN s.caseload_row | acc + ',' + toString(x)) AS ord
