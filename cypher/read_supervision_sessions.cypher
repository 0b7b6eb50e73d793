// The supervision sessions each person received, with export row numbers.
MATCH (s:Staff)
WHERE s.session_date IS NOT NULL
RETURN s.staff_id AS staff_id, s.session_supervisor_id AS supervisor_id, s.session_date AS date,
  s.session_minutes AS minutes, s.session_row AS ord
