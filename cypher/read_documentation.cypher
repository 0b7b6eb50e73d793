// Each person's documentation.csv series as stored: text columns (see load_documentation.cypher),
// the item count and the export row ranges.
MATCH (s:Staff)
WHERE s.documentation_count IS NOT NULL
RETURN s.staff_id AS staff_id, s.documentation_month AS month, s.documentation_session_hours AS session_hours, s.documentation_hours AS documentation_hours,
  s.documentation_count AS n, s.documentation_rows AS ord
