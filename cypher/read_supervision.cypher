// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Every SUPERVISED_BY interval in export order, as one record of parallel lists
// (dates as ISO text; `to` is $open_end while ongoing).
MATCH (s:Staff {org: $org})-[r:SUPERVISED_BY]->(sup:Staff)
WITH s, r, sup ORDER BY r.ord, s.staff_id, r.from
RETURN collect(s.staff_id) AS staff_id, collect(sup.staff_id) AS supervisor_id,
  collect(toString(r.from)) AS from, collect(toString(r.to)) AS to
