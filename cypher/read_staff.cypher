// Every person's record (not their monthly series), in export order.
MATCH (s:Staff)
RETURN s.staff_id AS staff_id, s.name AS name, s.discipline AS discipline, s.hire_date AS hire_date,
  s.termination_date AS termination_date, s.termination_type AS termination_type,
  s.termination_reason AS termination_reason, s.fte AS fte, s.annual_salary AS annual_salary,
  s.license AS license, s.external AS external
ORDER BY s.ord, s.staff_id
