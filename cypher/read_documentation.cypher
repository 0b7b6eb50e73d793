// Each person's documentation series, each list as one comma-separated string
// whose every item is preceded by a comma (",2024-01-01,2024-02-01").
MATCH (s:Staff)
WHERE s.documentation_month IS NOT NULL
RETURN s.staff_id AS staff_id,
  reduce(acc = '', x IN s.documentation_month | acc + ',' + toString(x)) AS month,
  reduce(acc = '', x IN s.documentation_session_hours | acc + ',' + toString(x)) AS session_hours,
  reduce(acc = '', x IN s.documentation_hours | acc + ',' + toString(x)) AS documentation_hours,
  reduce(acc = '', x IN s.documentation_row | acc + ',' + toString(x)) AS ord
