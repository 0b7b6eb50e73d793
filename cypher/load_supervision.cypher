// One row per supervision interval: {staff_id, supervisor_id, from, to, ord}.
// Keyed by (supervisee, supervisor, from); `to` is the last day, $open_end while ongoing.
UNWIND $rows AS row
MATCH (s:Staff {staff_id: row.staff_id})
MATCH (sup:Staff {staff_id: row.supervisor_id})
OPTIONAL MATCH (s)-[old:SUPERVISED_BY {from: row.from}]->(sup)
WITH s, sup, row, CASE WHEN old IS NULL THEN 'created' WHEN old.to = row.to THEN 'unchanged' ELSE 'updated' END
  AS outcome
MERGE (s)-[r:SUPERVISED_BY {from: row.from}]->(sup)
SET r.to = row.to, r.ord = row.ord
RETURN outcome, count(*) AS n, count(*) AS rows
