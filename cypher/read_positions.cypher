// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Every seat, in export order: one record holding one
// [position_id, title, program_id, role_kind, budgeted_caseload, capacity, inferred] list per seat
// (inferred: made by an import's seat rule, not in the source data; absent = false).
MATCH (p:Position {org: $org})
WITH p ORDER BY p.ord, p.position_id
RETURN collect([p.position_id, p.title, p.program_id, p.role_kind, p.budgeted_caseload, p.capacity,
  coalesce(p.inferred, false)]) AS rows
