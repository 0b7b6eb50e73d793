// Seats that turned over: at least $min_holders holdings of the seat overlap the
// window of $window_months months that ends on $as_of (a month counts as
// 30.4375 days, the window is that many whole days, ending on $as_of: the same
// holder rule as `orgraph churn`). `holders` lists the people, `departures`
// counts holders who left the org inside the window. Seats an import inferred
// (p.inferred: the export had no position ids) are left out, as `orgraph churn`
// leaves them out: who shared such a seat is a guess.
// Parameters, each checked against its line before the query runs
// (orgraph.store.cypher.parameters; name, type, allowed range, meaning):
//   $as_of          date  1900-01-01..9000-12-31  the last day of the window
//   $window_months  int   1..600                  the window's length in months
//   $min_holders    int   1..100000               holdings of a seat in the window to list it
// $org, the org's name, is set by orgraph.
WITH toInteger(round($window_months * 30.4375, 0, 'HALF_EVEN')) AS window_days
WITH window_days, $as_of - duration({days: window_days - 1}) AS window_start
MATCH (s:Staff {org: $org})-[r:HOLDS]->(p:Position)
WHERE r.from <= $as_of AND r.to >= window_start AND NOT coalesce(p.inferred, false)
WITH p, window_start, window_days, s, r
ORDER BY s.staff_id
WITH p, window_start, window_days, count(r) AS holdings, collect(DISTINCT s.staff_id) AS holders,
  count(DISTINCT CASE WHEN s.termination_date >= window_start AND s.termination_date <= $as_of THEN s END)
    AS departures
WHERE holdings >= $min_holders
RETURN p.position_id AS position_id, p.title AS title, p.program_id AS program_id, p.role_kind AS role_kind,
  holdings, size(holders) AS holder_count, departures, holders, window_start, window_days
ORDER BY holdings DESC, position_id
