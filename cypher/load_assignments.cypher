// One row per assignment: {staff_id, position_id, from, to, ord}. The interval
// is keyed by (person, seat, from); `to` is the last day held, $open_end while
// ongoing, so the MERGE key is never null and a newer export updates `to`.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
MATCH (p:Position {position_id: row.position_id})
OPTIONAL MATCH (s)-[old:HOLDS {from: row.from}]->(p)
WITH s, p, row, CASE WHEN old IS NULL THEN 'created' WHEN old.to = row.to THEN 'unchanged' ELSE 'updated' END
  AS outcome
MERGE (s)-[r:HOLDS {from: row.from}]->(p)
SET r.to = row.to, r.ord = row.ord
RETURN outcome, count(*) AS n, count(*) AS rows
