"""The load lock: one load at a time writes to a Neo4j database.

The lock is one ``(:OrgraphLock {key: "load"})`` node in the database itself, so
it holds across machines. A load takes it (``take_lock.cypher``) before its
first write, shows a sign of life every few seconds from a background thread
(``beat_lock.cypher`` renews ``beat``, the server's clock) and deletes it at the
end, failed or not (``release_lock.cypher``). A second load is refused at once
while the lock is held. A load that died (its process killed, its machine or
the server gone) cannot delete the lock; it lapses ``stale`` seconds after the
last beat, and the next load takes it over.

Examples
--------
>>> refusal({"who": "pid 41 on host-a", "since": "2026-01-05T10:00:00Z", "quiet_seconds": 3}, 30, "bolt://h:7687")
... # doctest: +NORMALIZE_WHITESPACE
'another orgraph load (pid 41 on host-a, started 2026-01-05T10:00:00Z) is writing to the Neo4j database at
 bolt://h:7687; wait until it finishes, then load again. (A load that died frees the lock 30 s after its last sign
 of life; this one was last heard from 3 s ago.)'
"""
from __future__ import annotations

import os
import socket
import threading
import uuid

from ..errors import SourceError
from .cypher import query

__all__ = ["LOCK_KEY", "STALE_SECONDS", "LoadLock", "LockError", "refusal"]

LOCK_KEY = "load"
#: A held lock lapses this many seconds after its holder's last beat.
STALE_SECONDS = 30.0


class LockError(SourceError):
    """Another load holds the load lock, or this load lost it."""


def refusal(record: dict, stale: float, where: str) -> str:
    """The message refusing a load while ``record`` (a ``take_lock`` result) holds the lock."""
    return (f"another orgraph load ({record['who']}, started {record['since']}) is writing to the Neo4j database"
            f"{' at ' + where if where else ''}; wait until it finishes, then load again. (A load that died frees "
            f"the lock {stale:g} s after its last sign of life; this one was last heard from "
            f"{record['quiet_seconds']} s ago.)")


class LoadLock:
    """The load lock of one database, held for the duration of a ``with`` block.

    Parameters
    ----------
    driver : neo4j.Driver
    database : str, optional
    stale : float
        Seconds after the holder's last beat at which the lock lapses; beats
        come every ``stale / 6`` seconds.
    where : str
        The database's address, printable (for messages).

    Raises
    ------
    LockError
        On entering: another live load holds the lock.
    """

    def __init__(self, driver, *, database: str | None = None, stale: float = STALE_SECONDS, where: str = ""):
        self.driver = driver
        self.database = database
        self.stale = float(stale)
        self.where = where
        self.holder = uuid.uuid4().hex
        self.who = f"pid {os.getpid()} on {socket.gethostname()}"
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _params(self) -> dict:
        return {"key": LOCK_KEY, "holder": self.holder}

    def acquire(self) -> None:
        """Take the lock or raise :class:`LockError` (connection errors pass through)."""
        with self.driver.session(database=self.database) as session:
            record = session.run(query("take_lock"), {**self._params(), "who": self.who,
                                                      "stale_seconds": self.stale}).single().data()
        if not record["free"]:
            raise LockError(refusal(record, self.stale, self.where))
        self._thread = threading.Thread(target=self._beat, name="orgraph-load-lock", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        from neo4j.exceptions import DriverError, Neo4jError

        while not self._stop.wait(self.stale / 6):
            try:
                with self.driver.session(database=self.database) as session:
                    held = session.run(query("beat_lock"), self._params()).single()["held"]
            except (Neo4jError, DriverError, OSError):
                continue  # the load's own next write reports a lost server
            if not held:
                self.lost = True
                return

    def check(self) -> None:
        """Raise :class:`LockError` if the lock was lost (it lapsed and another load took it, or a wipe removed it)."""
        if self.lost:
            raise LockError(f"this load lost the load lock of the Neo4j database{' at ' + self.where if self.where else ''}"
                            f" (it lapsed and another load took it, or `orgraph db wipe` removed it)")

    def release(self) -> None:
        """Stop beating and delete the lock if still held; a server that is gone is not an error here."""
        from neo4j.exceptions import DriverError, Neo4jError

        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            with self.driver.session(database=self.database) as session:
                session.run(query("release_lock"), self._params()).consume()
        except (Neo4jError, DriverError, OSError):
            pass  # the lock lapses on its own

    def __enter__(self) -> "LoadLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
