// Each clinician's client assignments (`end` is $open_end while ongoing), with export row numbers.
MATCH (s:Staff)
WHERE s.client_id IS NOT NULL
RETURN s.staff_id AS staff_id, s.client_id AS client_id, s.client_start AS start, s.client_end AS end,
  s.client_row AS ord
