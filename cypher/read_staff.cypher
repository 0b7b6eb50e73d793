// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Every person's record (not their series), in export order: one record holding
// one list per person, dates as ISO text:
// [staff_id, name, discipline, hire_date, termination_date, termination_type,
//  termination_reason, fte, annual_salary, license, external].
MATCH (s:Staff {org: $org})
WITH s ORDER BY s.ord, s.staff_id
RETURN collect([s.staff_id, s.name, s.discipline, toString(s.hire_date), toString(s.termination_date),
  s.termination_type, s.termination_reason, s.fte, s.annual_salary, s.license, s.external]) AS rows
