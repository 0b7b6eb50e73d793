// The load $holder is over (finished or failed): deletes the load lock ($key) if it still holds it.
MATCH (l:OrgraphLock {key: $key})
WHERE l.holder = $holder
DELETE l
RETURN count(*) AS released
