// The bundle's metadata: which optional files it had ($present) and its
// settings as JSON ($config), on one OrgraphMeta node keyed by $key.
OPTIONAL MATCH (old:OrgraphMeta {key: $key})
WITH CASE WHEN old IS NULL THEN 'created'
  WHEN old.present = $present AND old.config = $config AND old.model_version = $model_version THEN 'unchanged'
  ELSE 'updated' END AS outcome
MERGE (m:OrgraphMeta {key: $key})
SET m.present = $present, m.config = $config, m.model_version = $model_version
RETURN outcome, 1 AS n, 1 AS rows
