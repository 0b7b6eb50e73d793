// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per assignment: {staff_id, position_id, from, to, ord}
// (dates as ISO text, stored as Neo4j dates). The interval
// is keyed by (person, seat, from); `to` is the last day held, $open_end while
// ongoing, so the MERGE key is never null and a newer export updates `to`.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})
MATCH (p:Position {org: $org, position_id: row.position_id})
WITH s, p, row, date(row.from) AS from, date(row.to) AS to
OPTIONAL MATCH (s)-[old:HOLDS {from: from}]->(p)
WITH s, p, row, from, to, CASE WHEN old IS NULL THEN 'created' WHEN old.to = to THEN 'unchanged' ELSE 'updated' END
  AS outcome
MERGE (s)-[r:HOLDS {from: from}]->(p)
SET r.to = to, r.ord = row.ord
RETURN outcome, count(*) AS n, count(*) AS rows
