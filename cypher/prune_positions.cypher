// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// After a load of the org named $org: deletes the seats the bundle does not have
// ($ids lists its position ids) and, with $only_org false, every seat of any other
// org or without `org` (see prune_staff.cypher). Their IN_PROGRAM links go too.
MATCH (p:Position)
WHERE CASE WHEN p.org = $org THEN NOT p.position_id IN $ids ELSE NOT $only_org END
CALL (p) {
  DETACH DELETE p
} IN TRANSACTIONS OF 1000 ROWS
RETURN count(*) AS removed
