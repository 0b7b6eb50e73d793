// Who is in a post-supervisor-exit window on $as_of.
// A person is at risk when a supervisor of theirs left between 1 and $window_days
// days before $as_of, they were supervised by that person on one of the last
// $lookback_days days of the supervisor's employment, and they still work here
// on $as_of. The same rule as orgraph.analyses.exposure.post_exit_window (and the
// cascade cohorts of supervisor_cohorts); the Neo4j differential tests compare them.
// Parameters: $as_of (date), $window_days (int), $lookback_days (int).
MATCH (sup:Staff)
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
