// One row per clinician: their client assignments as list properties on their
// Staff node (client_id: [string], client_start: [date], client_end: [date],
// $open_end while ongoing, client_row: [int]), replaced as a unit. On the wire each
// series is one string: client ids joined by $sep (the ASCII unit separator),
// dates and row numbers by commas; null when none.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, [x IN split(row.start, ',') | date(x)] AS starts, [x IN split(row.end, ',') | date(x)] AS ends,
  split(row.client_id, $sep) AS clients
WITH s, row, starts, ends, clients, size(coalesce(s.client_id, [])) AS before, size(coalesce(clients, [])) AS after,
  coalesce(s.client_id, []) = coalesce(clients, [])
  AND coalesce(s.client_start, []) = coalesce(starts, [])
  AND coalesce(s.client_end, []) = coalesce(ends, []) AS same
SET s.client_id = clients, s.client_start = starts, s.client_end = ends,
    s.client_row = [x IN split(row.ord, ',') | toInteger(x)]
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
