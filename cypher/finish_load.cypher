// The last write of a load of the org named $org: the bundle's metadata (the
// optional files it had, $present; its settings as JSON, $config; the graph model
// version) and the load's id, which marks the org complete. Nothing is written
// unless this load still holds `loading` (another load did not take it over).
MATCH (m:OrgraphMeta {org: $org})
WHERE m.loading = $load_id
WITH m, CASE WHEN m.load_id IS NULL THEN 'created'
  WHEN m.present = $present AND m.config = $config AND m.model_version = $model_version THEN 'unchanged'
  ELSE 'updated' END AS outcome
SET m.present = $present, m.config = $config, m.model_version = $model_version, m.load_id = $load_id,
    m.loaded_at = datetime()
REMOVE m.loading, m.loading_since
RETURN outcome, 1 AS n, 1 AS rows
