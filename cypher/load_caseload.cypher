// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person: their whole caseload.csv series, replaced as a unit so a newer
// export never leaves a stale item behind. Each column is stored as one text
// property on the Staff node, items joined by commas unless noted:
//   caseload_month: months as ISO dates (first day of the month)
//   caseload_active_clients: integers
//   caseload_count: number of items; caseload_rows: their row numbers in the export, as
//   ranges ("0-119,240"), so reading restores the table's order.
// Row: {staff_id, n, ord, month, active_clients} (null text when the person has none).
// n in the result counts items: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
WITH s, row, coalesce(s.caseload_count, 0) AS before, coalesce(row.n, 0) AS after,
  coalesce(s.caseload_month, '') = coalesce(row.month, '')
  AND coalesce(s.caseload_active_clients, '') = coalesce(row.active_clients, '') AS same
SET s.caseload_month = row.month,
    s.caseload_active_clients = row.active_clients,
    s.caseload_count = row.n,
    s.caseload_rows = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
