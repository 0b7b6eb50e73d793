// Takes the database's load lock ($key) for the load $holder ($who describes it:
// host and process), unless another load holds it and showed a sign of life
// (`beat`, renewed every few seconds by beat_lock.cypher) in the last
// $stale_seconds. One write transaction: incrementing `attempts` first takes
// Neo4j's write lock on the node, so two loads asking at once are served one
// after the other and only one of them gets the lock.
MERGE (l:OrgraphLock {key: $key})
SET l.attempts = coalesce(l.attempts, 0) + 1
WITH l
WITH l, l.holder IS NULL OR l.holder = $holder OR l.beat < datetime() - duration({seconds: $stale_seconds}) AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET l.holder = $holder, l.who = $who, l.since = datetime(), l.beat = datetime())
RETURN free, l.who AS who, toString(l.since) AS since, duration.inSeconds(l.beat, datetime()).seconds AS quiet_seconds
