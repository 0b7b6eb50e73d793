// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person: {staff_id, ord, hire_date, termination_date (ISO text,
// stored as Neo4j dates), props: {name, discipline, termination_type,
// termination_reason, fte, annual_salary, license, external}}.
// A null property is removed (never stored as a value).
UNWIND $rows AS row
OPTIONAL MATCH (old:Staff {org: $org, staff_id: row.staff_id})
WITH row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN all(k IN keys(row.props) WHERE coalesce(old[k] = row.props[k], old[k] IS NULL AND row.props[k] IS NULL))
    AND old.hire_date = date(row.hire_date)
    AND coalesce(old.termination_date = date(row.termination_date),
                 old.termination_date IS NULL AND row.termination_date IS NULL)
    THEN 'unchanged'
  ELSE 'updated' END AS outcome
MERGE (s:Staff {org: $org, staff_id: row.staff_id})
SET s += row.props, s.ord = row.ord, s.hire_date = date(row.hire_date),
    s.termination_date = date(row.termination_date)
RETURN outcome, count(*) AS n, count(*) AS rows
