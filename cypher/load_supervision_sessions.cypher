// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person: their whole supervision_sessions.csv (on the supervisee) series, replaced as a unit so a newer
// export never leaves a stale item behind. Each column is stored as one text
// property on the Staff node, items joined by commas unless noted:
//   session_supervisor_id: supervisor ids, joined by U+001F, the ASCII unit separator
//   session_date: ISO dates
//   session_minutes: decimal numbers
//   session_count: number of items; session_rows: their row numbers in the export, as
//   ranges ("0-119,240"), so reading restores the table's order.
// Row: {staff_id, n, ord, supervisor_id, date, minutes} (null text when the person has none).
// n in the result counts items: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
WITH s, row, coalesce(s.session_count, 0) AS before, coalesce(row.n, 0) AS after,
  coalesce(s.session_supervisor_id, '') = coalesce(row.supervisor_id, '')
  AND coalesce(s.session_date, '') = coalesce(row.date, '')
  AND coalesce(s.session_minutes, '') = coalesce(row.minutes, '') AS same
SET s.session_supervisor_id = row.supervisor_id,
    s.session_date = row.date,
    s.session_minutes = row.minutes,
    s.session_count = row.n,
    s.session_rows = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
