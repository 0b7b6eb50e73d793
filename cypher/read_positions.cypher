// Every seat, in export order.
MATCH (p:Position)
RETURN p.position_id AS position_id, p.title AS title, p.program_id AS program_id, p.role_kind AS role_kind,
  p.budgeted_caseload AS budgeted_caseload, p.capacity AS capacity
ORDER BY p.ord, p.position_id
