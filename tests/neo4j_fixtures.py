"""pytest plugin: a real Neo4j server for the tests that need one.

Fixtures
--------
neo4j_server
    Session-scoped connection details (``uri``, ``user``, ``password``). If
    ``ORGRAPH_NEO4J_URI`` is set, that server is used (user from
    ``ORGRAPH_NEO4J_USER``, default ``neo4j``; password from ``NEO4J_PASSWORD``);
    otherwise a Neo4j 5.26 Community server is started from Maven jars
    (see ``tests/neo4jserver.py``) and stopped at the end of the session.
neo4j_driver
    A driver connected to that server, with the database wiped before the test.

When no server can be had, the test is skipped with the reason, except under
``CI=true``, where it fails: CI must never pass by skipping the database tests.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

__all__ = ["Neo4jConnection", "neo4j_server", "neo4j_driver"]


@dataclass(frozen=True)
class Neo4jConnection:
    uri: str
    user: str
    password: str
    database: str = "neo4j"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


def _no_server(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Neo4j test needs a server under CI=true: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j server: {reason}")


@pytest.fixture(scope="session")
def _neo4j_session():
    """Starts the server once per session (lazily); yields (connection or None, reason)."""
    uri = os.environ.get("ORGRAPH_NEO4J_URI")
    if uri:
        yield Neo4jConnection(uri, os.environ.get("ORGRAPH_NEO4J_USER", "neo4j"),
                              os.environ.get("NEO4J_PASSWORD", "")), ""
        return
    from neo4jserver import Neo4jServer, ServerUnavailable

    server = Neo4jServer()
    try:
        server.start()
    except ServerUnavailable as exc:
        yield None, str(exc)
        return
    try:
        yield Neo4jConnection(server.uri, server.user, server.password), ""
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_server(_neo4j_session) -> Neo4jConnection:
    conn, reason = _neo4j_session
    if conn is None:
        _no_server(reason)
    return conn


@pytest.fixture(scope="session")
def _neo4j_session_driver(neo4j_server):
    from orgraph.errors import SourceError
    from orgraph.store.neo4j import connect

    try:
        driver = connect(neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    except SourceError as exc:
        _no_server(str(exc))
    yield driver
    driver.close()


@pytest.fixture
def neo4j_driver(_neo4j_session_driver, neo4j_server):
    """A driver to an empty database (data, constraints and indexes removed first)."""
    from orgraph.store.neo4j import wipe

    wipe(_neo4j_session_driver, database=neo4j_server.database, schema=True)
    return _neo4j_session_driver
