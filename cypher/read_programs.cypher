// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Every program, in the order the last loaded export listed them: one record
// holding one [program_id, name, service_line] list per program.
MATCH (p:Program {org: $org})
WITH p ORDER BY p.ord, p.program_id
RETURN collect([p.program_id, p.name, p.service_line]) AS rows
