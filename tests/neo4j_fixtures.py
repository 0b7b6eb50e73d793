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


# ------------------------------------------------------------ test orgs
def random_org(*, seats: int = 40, years: int = 4, seed: int = 0, start=None):
    """A random but consistent :class:`OrgData` with every table filled (for store tests and benchmarks).

    Seats in 4 programs (one director seat, supervisor seats of uneven span,
    clinician seats); each seat is held by a chain of people with exponential
    tenures and refill gaps; clinicians are supervised by the holder of their
    supervisor seat, supervisors by the director. Optional staff fields are
    sometimes missing; caseload, documentation, monthly supervision sessions
    and client assignments are filled for clinicians.
    """
    import datetime as dt

    import numpy as np
    import pandas as pd

    from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision

    rng = np.random.default_rng(seed)
    start = start or dt.date(2018, 1, 1)
    end = dt.date(start.year + years, start.month, start.day) - dt.timedelta(days=1)
    day = dt.timedelta(days=1)
    data = OrgData()
    progs = ["OP", "IOP", "RES", "ACT"]
    for p in progs:
        data.programs[p] = Program(p, f"{p} program", p.lower())
    layout: list[tuple[str, str, str, str | None]] = [("D1", "DIR", "OP", None)]
    n_sup = max(2, seats // 10)
    sups = [f"SV{i}" for i in range(n_sup)]
    for i, sv in enumerate(sups):
        layout.append((sv, "supervisor", progs[i % len(progs)], "D1"))
    for i in range(max(1, seats - 1 - n_sup)):
        # uneven spans: the first supervisor gets about a third of all clinicians
        sv = sups[0] if rng.random() < 0.33 else sups[int(rng.integers(0, n_sup))]
        layout.append((f"CL{i}", "clinician", data_programs_of(layout, sv), sv))
    mean_days = {"director": 2500, "supervisor": 900, "clinician": 700}
    holdings: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
    n = 0
    for pid, kind, prog, _ in layout:
        kind = "director" if kind == "DIR" else kind
        data.positions[pid] = Position(pid, kind.title(), prog, kind,
                                       float(rng.integers(15, 30)) if kind == "clinician" else None,
                                       1)
        t = start
        chain = holdings.setdefault(pid, [])
        while t <= end:
            tenure = int(rng.exponential(mean_days[kind])) + 20
            last = t + tenure * day
            sid = f"S{n:05d}"
            n += 1
            left = last <= end
            data.staff[sid] = Staff(
                sid, f"Person {n}", ["LCSW", "LPC", "LMFT", "PhD"][int(rng.integers(0, 4))], t,
                last if left else None,
                ["voluntary", "involuntary", "retirement", "other"][int(rng.integers(0, 4))] if left else None,
                ("moved", "burnout", None)[int(rng.integers(0, 3))] if left else None,
                [1.0, 0.8, 0.5][int(rng.integers(0, 3))],
                float(rng.integers(50, 110) * 1000) if rng.random() < 0.8 else None,
                f"LIC-{n}" if rng.random() < 0.7 else None,
            )
            data.assignments.append(Assignment(sid, pid, t, last if left else None))
            chain.append((sid, t, last if left else None))
            t = last + int(rng.integers(7, 75)) * day
    for pid, _kind, _prog, sup_seat in layout:
        if sup_seat is None:
            continue
        for sid, a, b in holdings[pid]:
            for vid, c, d in holdings[sup_seat]:
                lo = max(a, c)
                hi = min(x for x in (b, d, dt.date.max) if x is not None)
                if lo <= hi:
                    data.supervision.append(Supervision(sid, vid, lo, None if hi == dt.date.max else hi))
    data.supervision.sort(key=lambda s: (s.start, s.staff_id))
    cl, sess, docs, clients = [], [], [], []
    months = pd.date_range(start, end, freq="MS")
    for pid, kind, _prog, _sv in layout:
        if kind != "clinician":
            continue
        for sid, a, b in holdings[pid]:
            b = b or end
            ms = months[(months >= pd.Timestamp(a)) & (months <= pd.Timestamp(b))]
            for m in ms:
                cl.append((sid, m, int(rng.poisson(22))))
                sh = float(rng.integers(40, 90))
                docs.append((sid, m, sh, round(sh * float(rng.uniform(0.3, 1.2)), 2)))
            for k in range(int(rng.poisson(5))):
                cs = a + int(rng.integers(0, max(1, (b - a).days))) * day
                ce = cs + int(rng.integers(30, 400)) * day
                clients.append((f"C{seed}-{sid}-{k}", sid, pd.Timestamp(cs),
                                pd.Timestamp(ce) if ce <= b else pd.NaT))
    for s in data.supervision:
        b = s.end or end
        ms = months[(months >= pd.Timestamp(s.start)) & (months <= pd.Timestamp(b))]
        for m in ms[::2]:
            sess.append((s.supervisor_id, s.staff_id, m + pd.Timedelta(days=int(rng.integers(0, 27))),
                         float(rng.choice([30.0, 45.0, 60.0]))))
    data.caseload = pd.DataFrame(cl, columns=["staff_id", "month", "active_clients"]).astype(
        {"month": "datetime64[ns]", "active_clients": "int64"})
    data.documentation = pd.DataFrame(docs, columns=["staff_id", "month", "session_hours", "documentation_hours"]
                                      ).astype({"month": "datetime64[ns]"})
    data.supervision_sessions = pd.DataFrame(sess, columns=["supervisor_id", "staff_id", "date", "minutes"]).astype(
        {"date": "datetime64[ns]"})
    data.client_assignments = pd.DataFrame(clients, columns=["client_id", "staff_id", "start_date", "end_date"]
                                           ).astype({"start_date": "datetime64[ns]", "end_date": "datetime64[ns]"})
    data.present = {"caseload", "documentation", "supervision_sessions", "client_assignments"}
    from orgraph.model import TABLE_COLUMNS
    for name, cols in TABLE_COLUMNS.items():     # the declared dtypes (pandas 3 would infer its str dtype)
        setattr(data, name, getattr(data, name).astype(cols))
    return data


def data_programs_of(layout, seat_id):
    for pid, _kind, prog, _ in layout:
        if pid == seat_id:
            return prog
    raise KeyError(seat_id)


def assert_same_org(a, b) -> None:
    """Assert two OrgData hold the same records, tables (dtypes too), optional files and settings."""
    import pandas as pd

    assert list(a.staff.items()) == list(b.staff.items())
    assert list(a.programs.items()) == list(b.programs.items())
    assert list(a.positions.items()) == list(b.positions.items())
    assert a.assignments == b.assignments
    assert a.supervision == b.supervision
    for table in ("caseload", "documentation", "supervision_sessions", "client_assignments"):
        pd.testing.assert_frame_equal(getattr(a, table).reset_index(drop=True),
                                      getattr(b, table).reset_index(drop=True), check_exact=True, obj=table)
    assert a.present == b.present
    assert (a.config is None) == (b.config is None)
    if a.config is not None:
        assert a.config.values == b.config.values
