// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Each person's caseload.csv series as stored: text columns (see load_caseload.cypher),
// the item count and the export row ranges; one record holding one list per person:
// [staff_id, month, active_clients, n, ord].
MATCH (s:Staff {org: $org})
WHERE s.caseload_count IS NOT NULL
RETURN collect([s.staff_id, s.caseload_month, s.caseload_active_clients, s.caseload_count, s.caseload_rows]) AS rows
