// Seats that turned over: at least $min_holders different people held the seat
// during the $window_months months up to $as_of (the window is the day after
// $as_of minus $window_months months, through $as_of).
// Parameters: $as_of (date), $window_months (int), $min_holders (int).
WITH $as_of - duration({months: $window_months}) + duration({days: 1}) AS window_start
MATCH (s:Staff)-[r:HOLDS]->(p:Position)
WHERE r.from <= $as_of AND r.to >= window_start
WITH DISTINCT p, s, window_start
ORDER BY s.staff_id
WITH p, window_start, collect(s.staff_id) AS holders,
  sum(CASE WHEN s.termination_date >= window_start AND s.termination_date <= $as_of THEN 1 ELSE 0 END) AS departures
WHERE size(holders) >= $min_holders
RETURN p.position_id AS position_id, p.title AS title, p.program_id AS program_id, p.role_kind AS role_kind,
  size(holders) AS holder_count, departures, holders, window_start
ORDER BY holder_count DESC, position_id
