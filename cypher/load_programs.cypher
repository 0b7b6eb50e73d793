// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per program: {program_id, ord, props: {name, service_line}}.
// Outcome per row: created, updated (a property changed) or unchanged.
UNWIND $rows AS row
OPTIONAL MATCH (old:Program {org: $org, program_id: row.program_id})
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN all(k IN keys(row.props) WHERE coalesce(old[k] = row.props[k], old[k] IS NULL AND row.props[k] IS NULL))
    THEN 'unchanged'
  ELSE 'updated' END AS outcome
MERGE (p:Program {org: $org, program_id: row.program_id})
SET p += row.props, p.ord = row.ord
RETURN outcome, count(*) AS n, count(*) AS rows
