"""Stores an org can live in besides a folder of CSVs: Neo4j.

:mod:`orgraph.store.neo4j` loads an :class:`~orgraph.model.OrgData` into Neo4j
and reads it back; :mod:`orgraph.store.cypher` loads the query files and checks
query parameters; :mod:`orgraph.store.lock` keeps loads one at a time.
"""
from __future__ import annotations

from .lock import LockError
from .neo4j import (DEFAULT_ORG, DEFAULT_URI, OPEN_END, LoadError, LoadSummary, connect, read_org, run_query, wipe,
                    write_org)

__all__ = ["DEFAULT_ORG", "DEFAULT_URI", "OPEN_END", "LoadError", "LoadSummary", "LockError", "connect", "read_org",
           "run_query", "wipe", "write_org"]
