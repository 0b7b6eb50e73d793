// Each person's documentation series, with export row numbers.
MATCH (s:Staff)
WHERE s.documentation_month IS NOT NULL
RETURN s.staff_id AS staff_id, s.documentation_month AS month, s.documentation_session_hours AS session_hours,
  s.documentation_hours AS documentation_hours, s.documentation_row AS ord
