// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person: their whole client_assignments.csv series, replaced as a unit so a newer
// export never leaves a stale item behind. Each column is stored as one text
// property on the Staff node, items joined by commas unless noted:
//   client_id: client ids, joined by U+001F, the ASCII unit separator
//   client_start: ISO dates
//   client_end: ISO dates, 9999-12-31 while open
//   client_count: number of items; client_rows: their row numbers in the export, as
//   ranges ("0-119,240"), so reading restores the table's order.
// Row: {staff_id, n, ord, client_id, start, end} (null text when the person has none).
// n in the result counts items: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
WITH s, row, coalesce(s.client_count, 0) AS before, coalesce(row.n, 0) AS after,
  coalesce(s.client_id, '') = coalesce(row.client_id, '')
  AND coalesce(s.client_start, '') = coalesce(row.start, '')
  AND coalesce(s.client_end, '') = coalesce(row.end, '') AS same
SET s.client_id = row.client_id,
    s.client_start = row.start,
    s.client_end = row.end,
    s.client_count = row.n,
    s.client_rows = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
