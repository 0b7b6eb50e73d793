// The loaded bundle's metadata (none if nothing was loaded).
MATCH (m:OrgraphMeta {key: $key})
RETURN m.present AS present, m.config AS config, m.model_version AS model_version
