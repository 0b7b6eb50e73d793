// Every org's metadata, by name. A node without `org` was written by graph model 1
// (one org per database, keyed "bundle").
MATCH (m:OrgraphMeta)
RETURN m.org AS org, m.load_id AS load_id, m.loading AS loading, toString(m.loading_since) AS loading_since,
  m.present AS present, m.config AS config, m.model_version AS model_version
ORDER BY org
