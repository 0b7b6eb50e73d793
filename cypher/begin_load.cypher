// A load of the org named $org begins: `loading` holds the load's id until
// finish_load.cypher, the load's last write, replaces it with `load_id`. orgraph
// refuses to read an org whose `loading` is set or that has no `load_id` yet: its
// records may be part old, part new, or missing.
MERGE (m:OrgraphMeta {org: $org})
SET m.loading = $load_id, m.loading_since = datetime()
RETURN m.load_id IS NULL AS first
