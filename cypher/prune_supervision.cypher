// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// One row per person in the export: {staff_id, keys: [[supervisor_id, from], ...]} (from as ISO text).
// Deletes this person's SUPERVISED_BY intervals that the export no longer has.
UNWIND $rows AS row
MATCH (s:Staff {org: $org, staff_id: row.staff_id})-[r:SUPERVISED_BY]->(sup:Staff)
WHERE NOT [sup.staff_id, toString(r.from)] IN row.keys
DELETE r
RETURN count(*) AS removed
