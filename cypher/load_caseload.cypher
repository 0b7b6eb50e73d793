// One row per person: their whole caseload series, stored as list properties on
// their Staff node (caseload_month: [date], caseload_active_clients: [int],
// caseload_row: [int], the export's row numbers) and replaced as a unit, so a
// newer export never leaves a stale month behind. On the wire each series is one
// comma-separated string (month "2024-01-01,2024-02-01", active_clients "22,25",
// ord "0,7"), null when the person has none: one value per person instead of
// thousands keeps the load fast.
// n counts monthly rows: created, updated, removed or unchanged.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
WITH s, row, [x IN split(row.month, ',') | date(x)] AS month,
  [x IN split(row.active_clients, ',') | toInteger(x)] AS clients
WITH s, row, month, clients, size(coalesce(s.caseload_month, [])) AS before, size(coalesce(month, [])) AS after,
  coalesce(s.caseload_month, []) = coalesce(month, [])
  AND coalesce(s.caseload_active_clients, []) = coalesce(clients, []) AS same
SET s.caseload_month = month, s.caseload_active_clients = clients,
    s.caseload_row = [x IN split(row.ord, ',') | toInteger(x)]
WITH before, after, CASE WHEN same THEN 'unchanged' WHEN before = 0 THEN 'created' WHEN after = 0 THEN 'removed'
  ELSE 'updated' END AS outcome
RETURN outcome, sum(CASE WHEN after = 0 THEN before ELSE after END) AS n, count(*) AS rows
