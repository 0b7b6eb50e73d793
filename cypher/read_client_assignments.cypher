// Each person's client_assignments.csv series as stored: text columns (see load_client_assignments.cypher),
// the item count and the export row ranges.
MATCH (s:Staff)
WHERE s.client_count IS NOT NULL
RETURN s.staff_id AS staff_id, s.client_id AS client_id, s.client_start AS start, s.client_end AS end,
  s.client_count AS n, s.client_rows AS ord
