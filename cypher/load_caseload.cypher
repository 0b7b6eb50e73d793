// One row per person: their whole caseload series {staff_id, month: [date],
// active_clients: [int], ord: [int]} (null lists when they have none), stored as
// list properties on the Staff node and replaced as a unit, so a newer export
// never leaves a stale month behind. `ord` keeps the export's row order.
// n counts monthly rows: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, size(coalesce(s.caseload_month, [])) AS before, size(coalesce(row.month, [])) AS after,
  coalesce(s.caseload_month, []) = coalesce(row.month, [])
  AND coalesce(s.caseload_active_clients, []) = coalesce(row.active_clients, []) AS same
SET s.caseload_month = row.month, s.caseload_active_clients = row.active_clients, s.caseload_row = row.ord
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
