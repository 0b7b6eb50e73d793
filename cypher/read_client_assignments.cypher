// Each clinician's client assignments, each list as one string whose every item
// is preceded by a separator: $sep for client ids, a comma for start, end
// ($open_end while ongoing) and row numbers.
MATCH (s:Staff)
WHERE s.client_id IS NOT NULL
RETURN s.staff_id AS staff_id,
  reduce(acc = '', x IN s.client_id | acc + $sep + x) AS client_id,
  reduce(acc = '', x IN s.client_start | acc + ',' + toString(x)) AS start,
  reduce(acc = '', x IN s.client_end | acc + ',' + toString(x)) AS end,
  reduce(acc = '', x IN s.client_row | acc + ',' + toString(x)) AS ord
