// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Each person's documentation.csv series as stored: text columns (see load_documentation.cypher),
// the item count and the export row ranges; one record holding one list per person:
// [staff_id, month, session_hours, documentation_hours, n, ord].
MATCH (s:Staff {org: $org})
WHERE s.documentation_count IS NOT NULL
RETURN collect([s.staff_id, s.documentation_month, s.documentation_session_hours, s.documentation_hours, s.documentation_count, s.documentation_rows]) AS rows
