// Each person's caseload series, with the export row number of every month.
MATCH (s:Staff)
WHERE s.caseload_month IS NOT NULL
RETURN s.staff_id AS staff_id, s.caseload_month AS month, s.caseload_active_clients AS active_clients,
  s.caseload_row AS ord
