// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person: their whole documentation.csv series, replaced as a unit so a newer
// export never leaves a stale item behind. Each column is stored as one text
// property on the Staff node, items joined by commas unless noted:
//   documentation_month: months as ISO dates
//   documentation_session_hours: decimal numbers
//   documentation_hours: decimal numbers
//   documentation_count: number of items; documentation_rows: their row numbers in the export, as
//   ranges ("0-119,240"), so reading restores the table's order.
// Row: {staff_id, n, ord, month, session_hours, documentation_hours} (null text when the person has none).
// n in the result counts items: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
WITH s, row, coalesce(s.documentation_count, 0) AS before, coalesce(row.n, 0) AS after,
  coalesce(s.documentation_month, '') = coalesce(row.month, '')
  AND coalesce(s.documentation_session_hours, '') = coalesce(row.session_hours, '')
  AND coalesce(s.documentation_hours, '') = coalesce(row.documentation_hours, '') AS same
SET s.documentation_month = row.month,
    s.documentation_session_hours = row.session_hours,
    s.documentation_hours = row.documentation_hours,
    s.documentation_count = row.n,
    s.documentation_rows = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
