// Each person's caseload.csv series as stored: text columns (see load_caseload.cypher),
// the item count and the export row ranges.
MATCH (s:Staff)
WHERE s.caseload_count IS NOT NULL
RETURN s.staff_id AS staff_id, s.caseload_month AS month, s.caseload_active_clients AS active_clients,
  s.caseload_count AS n, s.caseload_rows AS ord
