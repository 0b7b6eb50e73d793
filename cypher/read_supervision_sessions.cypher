// Each person's supervision_sessions.csv series as stored: text columns (see load_supervision_sessions.cypher),
// the item count and the export row ranges.
MATCH (s:Staff)
WHERE s.session_count IS NOT NULL
RETURN s.staff_id AS staff_id, s.session_supervisor_id AS supervisor_id, s.session_date AS date, s.session_minutes AS minutes,
  s.session_count AS n, s.session_rows AS ord
