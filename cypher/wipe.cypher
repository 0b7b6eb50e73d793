// Deletes every node orgraph writes (and their relationships), in chunks.
// Other labels in the database are left alone.
MATCH (n)
WHERE n:Staff OR n:Position OR n:Program OR n:OrgraphMeta
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 5000 ROWS
RETURN count(n) AS deleted
