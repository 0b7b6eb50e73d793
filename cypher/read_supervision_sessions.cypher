// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Each person's supervision_sessions.csv series as stored: text columns (see load_supervision_sessions.cypher),
// the item count and the export row ranges; one record holding one list per person:
// [staff_id, supervisor_id, date, minutes, n, ord].
MATCH (s:Staff {org: $org})
WHERE s.session_count IS NOT NULL
RETURN collect([s.staff_id, s.session_supervisor_id, s.session_date, s.session_minutes, s.session_count, s.session_rows]) AS rows
