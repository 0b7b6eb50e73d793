// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per seat: {position_id, ord, props: {title, program_id, role_kind,
// budgeted_caseload, capacity, inferred}}. A null property is removed. The seat's
// IN_PROGRAM relationship runs from $from (the first hire date in the data) to
// $open_end; a link to any other program (the seat moved) is deleted.
UNWIND $rows AS row
OPTIONAL MATCH (old:Position {org: $org, position_id: row.position_id})
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN all(k IN keys(row.props) WHERE coalesce(old[k] = row.props[k], old[k] IS NULL AND row.props[k] IS NULL))
    THEN 'unchanged'
  ELSE 'updated' END AS outcome
MERGE (p:Position {org: $org, position_id: row.position_id})
SET p += row.props, p.ord = row.ord
WITH p, row, outcome
MATCH (prog:Program {org: $org, program_id: row.props.program_id})
MERGE (p)-[r:IN_PROGRAM]->(prog)
SET r.from = $from, r.to = $open_end
WITH p, prog, outcome
OPTIONAL MATCH (p)-[stale:IN_PROGRAM]->(other:Program)
WHERE other <> prog
DELETE stale
RETURN outcome, count(DISTINCT p) AS n, count(DISTINCT p) AS rows
