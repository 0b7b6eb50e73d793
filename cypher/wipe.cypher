// Deletes every node orgraph writes (and their relationships), in chunks: with
// $org null every org, the metadata and the load lock; else the org named $org.
// Other labels in the database are left alone.
MATCH (n)
WHERE (n:Staff OR n:Position OR n:Program OR n:OrgraphMeta OR n:OrgraphLock) AND ($org IS NULL OR n.org = $org)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 5000 ROWS
RETURN count(n) AS deleted
