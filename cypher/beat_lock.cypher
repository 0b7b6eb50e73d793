// The load $holder is alive: renews `beat` on the load lock ($key) if it still holds it.
// `held` is 0 when it does not (the lock lapsed and another load took it, or a wipe removed it).
OPTIONAL MATCH (l:OrgraphLock {key: $key})
WHERE l.holder = $holder
SET l.beat = datetime()
RETURN count(l) AS held
