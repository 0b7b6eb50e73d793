// After a load without --org ($only_org false): deletes the metadata of every org
// but $org (their records went with prune_staff, prune_positions, prune_programs),
// and graph model 1's metadata node (no `org`).
MATCH (m:OrgraphMeta)
WHERE NOT $only_org AND (m.org IS NULL OR m.org <> $org)
DELETE m
RETURN count(*) AS removed
