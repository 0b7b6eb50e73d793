// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// After a load of the org named $org: deletes the people the bundle does not have
// ($ids lists the bundle's staff ids), with their intervals and series. With
// $only_org false (a load without --org, after which the database holds exactly
// the bundle) it also deletes every person of any other org, and people written
// by graph model 1 (no `org`). Returns what went, for the load summary: people,
// their HOLDS and SUPERVISED_BY (as supervisee; links to them from people who
// stay were pruned already) and their series items, all counted before the first
// deletion (collect is the barrier), so a link between two of them counts once.
MATCH (s:Staff)
WHERE CASE WHEN s.org = $org THEN NOT s.staff_id IN $ids ELSE NOT $only_org END
WITH s, COUNT { (s)-[:HOLDS]->() } AS holds, COUNT { (s)-[:SUPERVISED_BY]->() } AS supervision
WITH collect(s) AS gone, count(s) AS staff, sum(holds) AS assignments, sum(supervision) AS supervision,
  sum(coalesce(s.caseload_count, 0)) AS caseload, sum(coalesce(s.documentation_count, 0)) AS documentation,
  sum(coalesce(s.session_count, 0)) AS supervision_sessions, sum(coalesce(s.client_count, 0)) AS client_assignments
UNWIND gone AS s
CALL (s) {
  DETACH DELETE s
} IN TRANSACTIONS OF 1000 ROWS
RETURN max(staff) AS staff, max(assignments) AS assignments, max(supervision) AS supervision,
  max(caseload) AS caseload, max(documentation) AS documentation, max(supervision_sessions) AS supervision_sessions,
  max(client_assignments) AS client_assignments
