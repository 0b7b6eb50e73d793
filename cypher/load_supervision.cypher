// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per supervision interval: {staff_id, supervisor_id, from, to, ord}
// (dates as ISO text, stored as Neo4j dates).
// Keyed by (supervisee, supervisor, from); `to` is the last day, $open_end while ongoing.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
MATCH (sup:Staff {org: $org, staff_id: row.supervisor_id})
WITH s, sup, row, date(row.from) AS from, date(row.to) AS to
OPTIONAL MATCH (s)-[old:SUPERVISED_BY {from: from}]->(sup)
WITH s, sup, row, from, to, CASE WHEN old IS NULL THEN 'created' WHEN old.to = to THEN 'unchanged' ELSE 'updated' END
  AS outcome
MERGE (s)-[r:SUPERVISED_BY {from: from}]->(sup)
SET r.to = to, r.ord = row.ord
RETURN outcome, count(*) AS n, count(*) AS rows
