// Who is in a post-supervisor-exit window on $as_of.
// A person is at risk when a supervisor of theirs left between 1 and $window_days
// days before $as_of, they were supervised by that person on one of the last
// $lookback_days days of the supervisor's employment, and they still work here
// on $as_of. The same rule as orgraph.analyses.exposure.post_exit_window (and the
// cascade cohorts of supervisor_cohorts); the Neo4j differential tests compare them.
// Parameters, each checked against its line before the query runs
// (orgraph.store.cypher.parameters; name, type, allowed range, meaning):
//   $as_of          date  1900-01-01..9000-12-31  the day asked about
//   $window_days    int   1..3650                 days after a supervisor's exit that count
//   $lookback_days  int   1..3650                 last days of the supervisor's employment that count
// $org, the org's name, is set by orgraph.
MATCH (sup:Staff {org: $org})
WHERE sup.termination_date IS NOT NULL
  AND sup.termination_date < $as_of
  AND $as_of <= sup.termination_date + duration({days: $window_days})
MATCH (s:Staff)-[r:SUPERVISED_BY]->(sup)
WHERE r.from <= sup.termination_date
  AND r.to >= sup.termination_date - duration({days: $lookback_days - 1})
  AND s.hire_date <= $as_of
  AND (s.termination_date IS NULL OR $as_of <= s.termination_date)
WITH DISTINCT s, sup, duration.inDays(sup.termination_date, $as_of).days AS days_since_exit
RETURN s.staff_id AS staff_id, s.name AS name, sup.staff_id AS supervisor_id, sup.name AS supervisor_name,
  sup.termination_date AS supervisor_exit, days_since_exit, $window_days - days_since_exit AS days_left
ORDER BY supervisor_exit, supervisor_id, staff_id
