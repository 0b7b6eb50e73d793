// Nodes belong to the org named $org (keyed by org and id; see schema.cypher).
// Every HOLDS interval in export order, as one record of parallel lists (dates
// as ISO text; `to` is $open_end while ongoing). Few large records read much
// faster than one record per interval.
MATCH (s:Staff {org: $org})-[r:HOLDS]->(p:Position)
WITH s, r, p ORDER BY r.ord, s.staff_id, r.from
RETURN collect(s.staff_id) AS staff_id, collect(p.position_id) AS position_id,
  collect(toString(r.from)) AS from, collect(toString(r.to)) AS to
