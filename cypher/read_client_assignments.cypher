// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Each person's client_assignments.csv series as stored: text columns (see load_client_assignments.cypher),
// the item count and the export row ranges; one record holding one list per person:
// [staff_id, client_id, start, end, n, ord].
MATCH (s:Staff {org: $org})
WHERE s.client_count IS NOT NULL
RETURN collect([s.staff_id, s.client_id, s.client_start, s.client_end, s.client_count, s.client_rows]) AS rows
