// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person in the export: {staff_id, keys: [[position_id, from], ...]} (from as ISO text).
// Deletes this person's HOLDS intervals that the export no longer has.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})-[r:HOLDS]->(p:Position)
WHERE NOT [p.position_id, toString(r.from)] IN row.keys
DELETE r
RETURN count(*) AS removed
