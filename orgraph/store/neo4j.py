"""Neo4j as the shared store of an org: load a bundle, read it back, query it.

The graph model (see ``docs/graph-model.md``):

* ``(:Staff {staff_id, name, discipline, hire_date, termination_date, ...})``,
  ``(:Position {position_id, title, program_id, role_kind, ...})``,
  ``(:Program {program_id, name, service_line})``;
* ``(:Staff)-[:HOLDS {from, to}]->(:Position)``,
  ``(:Staff)-[:SUPERVISED_BY {from, to}]->(:Staff)``,
  ``(:Position)-[:IN_PROGRAM {from, to}]->(:Program)``, where ``from`` and ``to``
  are Neo4j dates, ``to`` is the *last* day (inclusive, as in the bundle) and
  an ongoing interval has ``to = 9999-12-31`` (:data:`OPEN_END`), so the
  ``MERGE`` key ``(start node, end node, from)`` never contains a null;
* each person's monthly caseload and documentation, the supervision sessions
  they received and their client assignments as text properties on their
  ``Staff`` node, one per column with the items joined (one write per person,
  replaced as a unit on reload);
* one ``(:OrgraphMeta {org})`` node per org with the optional files present,
  the bundle's settings and the id of the last load that finished.

Every node carries the name of its org (``org``; :data:`DEFAULT_ORG` unless a
load names one), keys are (org, id). After a load the database holds exactly
the bundle: a load without a name replaces every org in the database, a load
with ``org="north"`` replaces the org named ``north`` and leaves the others.
Loading is idempotent: loading the same bundle twice changes nothing, and a
newer export of the same org updates intervals in place and deletes the
people, seats, programs and intervals it no longer has.

A load writes ``loading`` (its id) on the org's metadata first and
``load_id`` last; reading refuses an org whose last load did not finish. One
load at a time holds the database's load lock (:mod:`orgraph.store.lock`), and
a lost connection stops a load at once. Every query text comes from
``cypher/`` (:mod:`orgraph.store.cypher`); values travel only as parameters.

Examples
--------
>>> rows = staff_rows(OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", dt.date(2020, 1, 1))}))
>>> rows[0]["staff_id"], rows[0]["hire_date"], rows[0]["termination_date"], rows[0]["props"]["name"]
('S1', '2020-01-01', None, 'Ana')
>>> list(batches(list(range(5)), 2))
[[0, 1], [2, 3], [4]]
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..model import (Assignment, OrgData, Position, Program, Staff, Supervision, TABLE_COLUMNS,
                     empty_table)
from .cypher import check_values, parameters, query, statements
from .lock import STALE_SECONDS, LoadLock

__all__ = [
    "OPEN_END", "DEFAULT_URI", "DEFAULT_ORG", "KINDS", "QUERIES", "LoadSummary", "LoadError",
    "connect", "split_org", "check_org", "write_org", "read_org", "read_org_from", "org_meta", "wipe", "run_query",
    "query_defaults",
    "staff_rows", "batches",
]

#: Stored as ``to`` of an interval that is still ongoing (a MERGE key is never null).
OPEN_END = dt.date(9999, 12, 31)
DEFAULT_URI = "bolt://localhost:7687"
#: Graph model 2: every node has ``org``; model 1 held one org per database.
MODEL_VERSION = 2
#: The name of the org a load without ``org`` writes.
DEFAULT_ORG = "default"
_ORG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

#: Record kinds in load order, with the query that loads each.
KINDS = ("programs", "positions", "staff", "assignments", "supervision", "caseload", "documentation",
         "supervision_sessions", "client_assignments", "meta")

#: The leadership questions ``orgraph db query`` answers, with their parameters (declared in each file's header).
QUERIES = {name: tuple(parameters(name))
           for name in ("cascade_risk", "overloaded_supervisors", "churn_positions", "snapshot")}

#: Where each query parameter's default comes from in the bundle's settings.
_PARAM_SETTINGS = {
    "window_days": ("cascades", "window_days"),
    "lookback_days": ("cascades", "lookback_days"),
    "max_span": ("overload", "max_span"),
    "window_months": ("churn", "window_months"),
    "min_holders": ("churn", "min_holders"),
}

_OUTCOMES = ("created", "updated", "removed", "unchanged")
Progress = Callable[[str, int, int], None]


# ----------------------------------------------------------------- connection
def safe_uri(uri) -> str:
    """A Neo4j address fit to print: any ``user:password@`` part is removed.

    Examples
    --------
    >>> safe_uri("bolt://neo4j:hunter2@localhost:7687")
    'bolt://localhost:7687'
    >>> safe_uri("neo4j://db.example:7687")
    'neo4j://db.example:7687'
    """
    text = str(uri)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text.split("@")[-1]
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"


def split_org(uri: str) -> tuple[str, str | None]:
    """``uri`` without its ``org=NAME`` query part, and that name (None when absent).

    An analysis command reads one of several orgs in a database from
    ``bolt://host:7687?org=north``.

    Examples
    --------
    >>> split_org("bolt://localhost:7687?org=north")
    ('bolt://localhost:7687', 'north')
    >>> split_org("neo4j://db:7687?policy=eu&org=a")
    ('neo4j://db:7687?policy=eu', 'a')
    >>> split_org("bolt://localhost:7687")
    ('bolt://localhost:7687', None)
    """
    parts = urlsplit(str(uri))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    names = [v for k, v in pairs if k == "org"]
    if not names:
        return str(uri), None
    if len(names) > 1:
        raise SourceError(f"{safe_uri(uri)!r} names more than one org; give one ?org=NAME")
    rest = urlencode([(k, v) for k, v in pairs if k != "org"])
    return urlunsplit(parts._replace(query=rest)), check_org(names[0])


def check_org(name) -> str:
    """An org name as given, if it is one: letters, digits, ``_ . -``, at most 64, starting with a letter or digit.

    >>> check_org("north-2")
    'north-2'
    """
    if not isinstance(name, str) or not _ORG_NAME.fullmatch(name):
        raise SourceError(f"{name!r} is not an org name: use letters, digits, '_', '.' and '-' "
                          f"(at most 64, starting with a letter or digit)")
    return name


def _quiet_driver_log() -> None:
    """Give the driver's logger a do-nothing handler, so Python's last-resort handler does not print its records."""
    log = logging.getLogger("neo4j")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def connect(uri: str = DEFAULT_URI, *, user: str | None = None, password: str | None = None):
    """A verified :class:`neo4j.Driver` for ``uri`` (an ``?org=NAME`` part is ignored here).

    ``user`` defaults to ``$ORGRAPH_NEO4J_USER`` (else ``neo4j``) and
    ``password`` to ``$NEO4J_PASSWORD``. The password is never put in a message.
    The driver's own log records (a defunct connection, a retry) are printed
    only where logging is configured: orgraph says what went wrong itself, in
    one line.

    Raises
    ------
    SourceError
        No password, a malformed URI, an unreachable server or refused credentials.
    """
    import neo4j
    from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

    _quiet_driver_log()
    user = user or os.environ.get("ORGRAPH_NEO4J_USER") or "neo4j"
    uri = split_org(uri)[0]
    shown = safe_uri(uri)
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise SourceError(f"no password for Neo4j at {shown}: set the NEO4J_PASSWORD environment variable")
    try:
        # reads retry a failed transaction for 2 s at most (the driver's default is 30 s, with a
        # warning per attempt); loads run their own transactions and stop at a lost connection
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), max_transaction_retry_time=2.0,
                                            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF)
    except (ValueError, ConfigurationError) as exc:
        hint = ("; give the user with --user and the password in NEO4J_PASSWORD, not in the address"
                if shown != str(uri) else "")
        raise SourceError(f"{shown!r} is not a Neo4j address like bolt://localhost:7687{hint}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise SourceError(f"Neo4j at {shown} refused user {user!r}: wrong user name or password") from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise SourceError(f"cannot reach Neo4j at {shown} ({str(exc).replace(str(uri), shown)}); "
                          "is the server running? "
                          "(`docker compose up --wait` starts one)") from None
    except Neo4jError as exc:
        driver.close()
        raise SourceError(f"Neo4j at {shown} refused the connection: {exc.message or exc}") from None
    return driver


# ------------------------------------------------------------- rows to write
def _native(value):
    """Plain Python values for the driver (numpy scalars and NaN become int/float/None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _props(record, fields: tuple[str, ...]) -> dict:
    return {f: _native(getattr(record, f)) for f in fields}


_STAFF_FIELDS = ("name", "discipline", "termination_type", "termination_reason", "fte", "annual_salary", "license",
                 "external")
_POSITION_FIELDS = ("title", "program_id", "role_kind", "budgeted_caseload", "capacity", "inferred")
_PROGRAM_FIELDS = ("name", "service_line")


def program_rows(data: OrgData) -> list[dict]:
    return [{"program_id": p.program_id, "ord": i, "props": _props(p, _PROGRAM_FIELDS)}
            for i, p in enumerate(data.programs.values())]


def position_rows(data: OrgData) -> list[dict]:
    return [{"position_id": p.position_id, "ord": i, "props": _props(p, _POSITION_FIELDS)}
            for i, p in enumerate(data.positions.values())]


def staff_rows(data: OrgData) -> list[dict]:
    return [{"staff_id": s.staff_id, "ord": i, "hire_date": _text(s.hire_date),
             "termination_date": _text(s.termination_date), "props": _props(s, _STAFF_FIELDS)}
            for i, s in enumerate(data.staff.values())]


def _text(day) -> str | None:
    return None if day is None else _native(day).isoformat()


def _interval_rows(records: list, other: str) -> list[dict]:
    return [{"staff_id": r.staff_id, other: getattr(r, other), "from": _text(r.start),
             "to": _text(OPEN_END if r.end is None else r.end), "ord": i} for i, r in enumerate(records)]


def _prune_rows(data: OrgData, records: list, other: str) -> list[dict]:
    keys: dict[str, list] = {sid: [] for sid in data.staff}
    for r in records:
        keys.setdefault(r.staff_id, []).append([getattr(r, other), _text(r.start)])
    return [{"staff_id": sid, "keys": k} for sid, k in keys.items()]


#: Joins the items of a text series (the ASCII unit separator; ids never contain it).
SEP = "\x1f"

#: For each fact table: (row key, column, kind) of its series. A series is stored
#: on the person's Staff node as one text property per column, items joined by
#: commas (dates, numbers) or by :data:`SEP` (ids): one value per person for the
#: driver to pack and for the server to store, instead of thousands.
_SERIES = {
    "caseload": [("month", "month", "date"), ("active_clients", "active_clients", "int")],
    "documentation": [("month", "month", "date"), ("session_hours", "session_hours", "float"),
                      ("documentation_hours", "documentation_hours", "float")],
    "supervision_sessions": [("supervisor_id", "supervisor_id", "str"), ("date", "date", "date"),
                             ("minutes", "minutes", "float")],
    "client_assignments": [("client_id", "client_id", "str"), ("start", "start_date", "date"),
                           ("end", "end_date", "open_date")],
}


def _encode(values: np.ndarray, kind: str) -> list[str]:
    """Items as text that parses back exactly (ISO dates, decimal ints, shortest-repr floats).

    Each distinct value is formatted once (series repeat a few thousand dates and numbers).

    >>> _encode(np.array(["2024-01-01", "NaT"], dtype="datetime64[ns]"), "open_date")
    ['2024-01-01', '9999-12-31']
    >>> _encode(np.array([0.1, 45.0, 1e-05, 0.1]), "float")
    ['0.1', '45.0', '1e-05', '0.1']
    """
    if kind == "str":
        text = [v if isinstance(v, str) else str(v) for v in values.tolist()]
        if SEP in "".join(text):
            bad = next(v for v in text if SEP in v)
            raise SourceError(f"{bad!r} contains the control character U+001F, which orgraph cannot store")
        return text
    codes, uniques = pd.factorize(values)
    if kind in ("date", "open_date"):
        text = np.asarray(uniques).astype("datetime64[D]").astype(str).astype(object)
    elif kind == "int":
        text = np.asarray(uniques).astype(np.int64).astype(str).astype(object)
    else:
        text = np.asarray(uniques).astype(np.float64).astype(str).astype(object)
    missing = OPEN_END.isoformat() if kind == "open_date" else ""
    return np.append(text, missing)[codes].tolist()


def _runs(order: np.ndarray) -> str:
    """Row numbers as ranges: ``[0, 1, 2, 5]`` → ``"0-2,5"``.

    >>> _runs(np.array([0, 1, 2, 5, 7, 8])), _runs(np.array([4]))
    ('0-2,5,7-8', '4')
    """
    cut = np.flatnonzero(np.diff(order) != 1) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [len(order)]]) - 1
    return ",".join(f"{order[a]}" if a == b else f"{order[a]}-{order[b]}" for a, b in zip(starts, ends))


def _expand_runs(text: str) -> list[np.ndarray]:
    out = []
    for run in text.split(","):
        a, _, b = run.partition("-")
        out.append(np.arange(int(a), int(b or a) + 1))
    return out


def series_rows(data: OrgData, table: str) -> list[dict]:
    """One row per person for a fact table: item count, row ranges and one text value per column.

    Every person in the bundle gets a row (``None`` values when they have no
    items), so a reload clears series that are gone.

    Examples
    --------
    >>> data = OrgData(staff={"A": Staff("A", "A", "LPC", dt.date(2020, 1, 1)),
    ...                       "B": Staff("B", "B", "LPC", dt.date(2020, 1, 1))})
    >>> data.caseload = pd.DataFrame({"staff_id": ["A", "B", "A"], "active_clients": [3, 5, 4],
    ...     "month": pd.to_datetime(["2020-02-01", "2020-01-01", "2020-01-01"])})
    >>> series_rows(data, "caseload")[0]
    {'staff_id': 'A', 'n': 2, 'ord': '0,2', 'month': '2020-02-01,2020-01-01', 'active_clients': '3,4'}
    """
    cols = _SERIES[table]
    df: pd.DataFrame = getattr(data, table)
    rows: dict[str, dict] = {sid: {"staff_id": sid, "n": None, "ord": None, **{k: None for k, _, _ in cols}}
                             for sid in data.staff}
    if not len(df):
        return list(rows.values())
    codes, people = pd.factorize(df["staff_id"].astype(str))
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    cut = np.flatnonzero(np.diff(sorted_codes)) + 1
    starts = np.concatenate([[0], cut]).tolist()
    ends = np.concatenate([cut, [len(order)]]).tolist()
    items = {key: (_encode(df[col].to_numpy()[order], kind), SEP if kind == "str" else ",")
             for key, col, kind in cols}
    for a, b in zip(starts, ends):
        sid = str(people[sorted_codes[a]])
        row = rows.setdefault(sid, {"staff_id": sid})
        row["n"] = b - a
        row["ord"] = _runs(order[a:b])
        for key, (values, sep) in items.items():
            row[key] = sep.join(values[a:b])
    return list(rows.values())


def batches(rows: list, size: int, weight: Callable[[dict], int] | None = None) -> Iterator[list]:
    """Split ``rows`` into lists of at most ``size`` rows (or total ``weight``)."""
    if weight is None:
        for i in range(0, len(rows), size):
            yield rows[i:i + size]
        return
    batch, total = [], 0
    for row in rows:
        w = max(1, weight(row))
        if batch and total + w > size:
            yield batch
            batch, total = [], 0
        batch.append(row)
        total += w
    if batch:
        yield batch


def _config_json(data: OrgData) -> str:
    cfg = data.config
    if cfg is None or not hasattr(cfg, "values"):
        return ""
    return json.dumps({"source": getattr(cfg, "source", ""), "values": cfg.values}, sort_keys=True, default=str)


# ------------------------------------------------------------------ summary
@dataclass
class LoadSummary:
    """What a load wrote, by record kind: rows created, updated, removed, unchanged."""

    uri: str = ""
    org: str = DEFAULT_ORG
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, outcome: str, n: int) -> None:
        c = self.counts.setdefault(kind, dict.fromkeys(_OUTCOMES, 0))
        c[outcome] = c.get(outcome, 0) + int(n or 0)

    @property
    def changed(self) -> int:
        """Rows created, updated or removed (0 when the database already held this bundle)."""
        return sum(c["created"] + c["updated"] + c["removed"] for c in self.counts.values())

    def records(self) -> list[dict]:
        """One record per kind, for a table: ``kind, rows, created, updated, removed, unchanged``."""
        return [{"kind": k, "rows": self.rows.get(k, 0), **self.counts.get(k, dict.fromkeys(_OUTCOMES, 0))}
                for k in KINDS if k in self.rows]

    def as_dict(self) -> dict:
        return {"uri": self.uri, "org": self.org, "seconds": round(self.seconds, 3), "changed": self.changed,
                "kinds": self.records()}


class LoadError(SourceError):
    """A load stopped before its end (a batch failed, the connection was lost); ``summary`` holds what was written."""

    def __init__(self, message: str, summary: LoadSummary):
        super().__init__(message)
        self.summary = summary


def _progress_note(summary: LoadSummary, kind: str, done: int, total: int) -> str:
    parts = []
    for k in KINDS:
        if k not in summary.rows:
            continue
        if k == kind:
            break
        parts.append(f"{k} ({summary.rows[k]:,} rows)")
    written = ", ".join(parts) or "nothing"
    not_written = [k for k in KINDS if k not in summary.rows or k == kind]
    if done:
        head = f"{kind} rows 1-{done:,} of {total:,} were written; rows {done + 1:,}-{total:,} were not"
    else:
        head = f"no {kind} rows were written"
    rest = [k for k in not_written if k != kind]
    tail = f"; not written: {', '.join(rest)}" if rest else ""
    return (f"Written: {written}. {head}{tail}. Until a load finishes, orgraph refuses to read the org; "
            f"loading the same data again is safe and completes it.")


# ------------------------------------------------------------------- writing
def _execute(session, text: str, params: dict) -> list[dict]:
    """Run one write in an explicit transaction: the driver never retries it (see :func:`_lost`)."""
    with session.begin_transaction() as tx:
        rows = [r.data() for r in tx.run(text, params)]
        tx.commit()
    return rows


def _execute_auto(session, text: str, params: dict) -> list[dict]:
    """Run one auto-commit query (``CALL ... IN TRANSACTIONS`` needs one)."""
    return [r.data() for r in session.run(text, params)]


def _lost(exc: Exception) -> bool:
    """Whether ``exc`` means the server is gone (retrying would only wait), rather than a failed statement."""
    from neo4j.exceptions import IncompleteCommit, ServiceUnavailable, SessionExpired

    return isinstance(exc, (ServiceUnavailable, SessionExpired, IncompleteCommit, OSError))


def _lost_message(exc: Exception, where: str, what: str) -> str:
    """``lost the connection to Neo4j at X while <what> (<why>)``: one line.

    >>> from neo4j.exceptions import ServiceUnavailable
    >>> _lost_message(ServiceUnavailable("Couldn't connect to ..."), "bolt://h:7687", "loading staff")
    'lost the connection to Neo4j at bolt://h:7687 while loading staff (the server does not answer)'
    """
    from neo4j.exceptions import IncompleteCommit, ServiceUnavailable, SessionExpired

    if isinstance(exc, IncompleteCommit):
        reason = "the connection broke while a batch was being committed"
    elif isinstance(exc, ServiceUnavailable):
        reason = "the server does not answer"
    elif isinstance(exc, SessionExpired):
        reason = "the server closed the connection"
    else:
        reason = (str(exc) or type(exc).__name__).splitlines()[0]
    return f"lost the connection to Neo4j{' at ' + where if where else ''} while {what} ({reason})"


def write_org(data: OrgData, driver, *, org: str | None = None, database: str | None = None,
              batch_size: int = 10_000, progress: Progress | None = None, retries: int = 2,
              retry_wait: float = 0.5, uri: str = "", lock_stale: float = STALE_SECONDS) -> LoadSummary:
    """Load ``data`` into Neo4j: batched ``UNWIND $rows ... MERGE``, one transaction per batch.

    After the load the database holds exactly ``data``: without ``org`` it
    replaces whatever orgraph data the database held (every org); with
    ``org`` it replaces the org of that name and leaves the others. The org is
    marked complete by the load's last write; until then reads refuse it. One
    load at a time: the database's load lock (:class:`~orgraph.store.lock.LoadLock`)
    is held throughout.

    Parameters
    ----------
    data : OrgData
    driver : neo4j.Driver
        See :func:`connect`.
    org : str, optional
        The org's name (letters, digits, ``_ . -``); default :data:`DEFAULT_ORG`,
        replacing every other org.
    database : str, optional
        Database name (default: the server's default database).
    batch_size : int
        Rows per transaction (a person's series counts one row per 20 items).
    progress : callable, optional
        Called as ``progress(kind, rows_done, rows_total)`` after every batch.
    retries : int
        How many times a batch that the server refused is tried again before the
        load stops. A lost connection stops the load at once.
    lock_stale : float
        Seconds without a sign of life after which another load's lock lapses.

    Returns
    -------
    LoadSummary

    Raises
    ------
    LoadError
        A batch still failed after ``retries``, or the connection was lost; the
        message says what was and was not written (loading again is safe).
    LockError
        Another load holds the database's load lock.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    t0 = time.perf_counter()
    name = DEFAULT_ORG if org is None else check_org(org)
    only_org = org is not None
    where = safe_uri(uri) if uri else ""
    summary = LoadSummary(uri=uri, org=name)
    load_id = uuid.uuid4().hex
    first = min((s.hire_date for s in data.staff.values()), default=dt.date(1970, 1, 1))
    # rows are built kind by kind, as the load reaches them
    plan: list[tuple[str, str, Callable[[], list[dict]], dict, Callable | None]] = [
        ("programs", "load_programs", lambda: program_rows(data), {}, None),
        ("positions", "load_positions", lambda: position_rows(data), {"from": first, "open_end": OPEN_END}, None),
        ("staff", "load_staff", lambda: staff_rows(data), {}, None),
        ("assignments", "load_assignments", lambda: _interval_rows(data.assignments, "position_id"), {}, None),
        ("supervision", "load_supervision", lambda: _interval_rows(data.supervision, "supervisor_id"), {}, None),
    ]
    for table in _SERIES:
        # a series row carries many items as one text value: about 20 items weigh one row
        plan.append((table, f"load_{table}", lambda table=table: series_rows(data, table), {},
                     lambda row: 1 + (row["n"] or 0) // 20))
    prune = {
        "assignments": ("prune_assignments", lambda: _prune_rows(data, data.assignments, "position_id")),
        "supervision": ("prune_supervision", lambda: _prune_rows(data, data.supervision, "supervisor_id")),
    }
    meta = {"org": name, "load_id": load_id, "present": sorted(data.present), "config": _config_json(data),
            "model_version": MODEL_VERSION}

    def run(session, kind, text, params, done, total, execute=None):
        last: Exception | None = None
        for attempt in range(retries + 1):
            try:
                return (execute or _execute)(session, text, {"org": name, **params})
            except (Neo4jError, DriverError, OSError) as exc:
                if _lost(exc):
                    raise LoadError(f"{_lost_message(exc, where, f'loading {kind}')}. "
                                    f"{_progress_note(summary, kind, done, total)}", summary) from None
                last = exc
                if attempt < retries:
                    time.sleep(retry_wait * (attempt + 1))
        reason = getattr(last, "message", None) or str(last)
        raise LoadError(f"loading into Neo4j{' at ' + where if where else ''} stopped: a batch of {kind} failed "
                        f"{retries + 1} times ({reason}). {_progress_note(summary, kind, done, total)}",
                        summary) from None

    with driver.session(database=database) as session:
        for stmt in statements("schema"):
            try:
                _schema_statement(session, stmt)
            except (Neo4jError, DriverError, OSError) as exc:
                if _lost(exc):
                    raise SourceError(_lost_message(exc, where, "creating the orgraph constraints")
                                      + "; nothing was written") from None
                raise SourceError(f"cannot create the orgraph constraints in Neo4j: "
                                  f"{getattr(exc, 'message', None) or exc}") from None
        lock = LoadLock(driver, database=database, stale=lock_stale, where=where)
        try:
            lock.acquire()
        except (Neo4jError, DriverError, OSError) as exc:
            if _lost(exc):
                raise SourceError(_lost_message(exc, where, "taking the load lock") + "; nothing was written") from None
            raise SourceError(f"cannot take the load lock in Neo4j: {getattr(exc, 'message', None) or exc}") from None
        try:
            run(session, "programs", query("begin_load"), {"load_id": load_id}, 0, 0)
            for kind, qname, make_rows, extra, weight in plan:
                rows = make_rows()
                text, total, done, matched = query(qname), len(rows), 0, 0
                for batch in batches(rows, batch_size, weight):
                    lock.check()
                    for rec in run(session, kind, text, {"rows": batch, **extra}, done, total):
                        summary.add(kind, rec["outcome"], rec["n"])
                        matched += rec["rows"]
                    done += len(batch)
                    if progress:
                        progress(kind, done, total)
                summary.counts.setdefault(kind, dict.fromkeys(_OUTCOMES, 0))
                if matched != total:
                    summary.rows[kind] = matched
                    what = "people" if kind in _SERIES else f"{kind} rows"
                    raise LoadError(f"{total - matched:,} {what} refer to people, seats or programs that are not "
                                    f"in the database, so they were not written. "
                                    f"{_progress_note(summary, kind, total, total)}", summary)
                if kind in prune:
                    pname, make_prune = prune[kind]
                    prows = make_prune()
                    ptext = query(pname)
                    for batch in batches(prows, batch_size, lambda r: len(r["keys"])):
                        for rec in run(session, kind, ptext, {"rows": batch}, done, total):
                            summary.add(kind, "removed", rec["removed"])
                summary.rows[kind] = len(getattr(data, kind)) if kind in _SERIES else total
            lock.check()
            _prune_nodes(data, session, run, summary, only_org)
            lock.check()
            finished = run(session, "meta", query("finish_load"), meta, 0, 1)
            if not finished:
                raise LoadError(f"this load of org {name!r} was overtaken by another load or a wipe before it "
                                f"finished; the database holds that one's data", summary)
            for rec in finished:
                summary.add("meta", rec["outcome"], rec["n"])
            summary.rows["meta"] = 1
        finally:
            lock.release()
    summary.seconds = time.perf_counter() - t0
    return summary


def _schema_statement(session, stmt: str, *, tries: int = 5) -> None:
    """Run one schema statement; a transient failure (two loads creating the schema at once deadlock) is retried."""
    from neo4j.exceptions import TransientError

    for attempt in range(tries):
        try:
            session.run(stmt).consume()
            return
        except TransientError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _prune_nodes(data: OrgData, session, run, summary: LoadSummary, only_org: bool) -> None:
    """Delete the people, seats and programs the bundle does not have (and, unless ``only_org``, other orgs)."""
    flag = {"only_org": only_org}
    staff_total = len(data.staff)
    (rec,) = run(session, "staff", query("prune_staff"), {"ids": list(data.staff), **flag}, staff_total, staff_total,
                 execute=_execute_auto)
    for kind in ("staff", "assignments", "supervision", *_SERIES):
        summary.add(kind, "removed", rec[kind])
    for kind, qname, ids in (("positions", "prune_positions", list(data.positions)),
                             ("programs", "prune_programs", list(data.programs))):
        (rec,) = run(session, kind, query(qname), {"ids": ids, **flag}, len(ids), len(ids), execute=_execute_auto)
        summary.add(kind, "removed", rec["removed"])
    run(session, "meta", query("prune_orgs"), flag, 0, 1, execute=_execute_auto)


# ------------------------------------------------------------------- reading
def _fetch(driver, name: str, database: str | None, params: dict | None = None) -> list:
    import neo4j

    records, _, _ = driver.execute_query(query(name), params or {}, database_=database,
                                         routing_=neo4j.RoutingControl.READ)
    return records


def _decode(items: list[str], kind: str) -> np.ndarray:
    """Inverse of :func:`_encode` (each distinct text parsed once)."""
    if kind == "str":
        return np.array(items, dtype=object)
    codes, uniques = pd.factorize(np.array(items, dtype=object))
    if kind in ("date", "open_date"):
        parsed = pd.to_datetime(pd.Series(uniques).where(uniques != OPEN_END.isoformat()), format="%Y-%m-%d")
        return parsed.to_numpy()[codes]
    return np.asarray(uniques).astype(np.int64 if kind == "int" else np.float64)[codes]


def _series_frame(records: list, table: str) -> pd.DataFrame:
    """Rebuild a fact table from ``[staff_id, <one text per column>..., n, ord]`` lists."""
    if not records:
        return empty_table(table)
    cols = _SERIES[table]
    counts = [r[-2] for r in records]
    ord_ = np.concatenate([piece for r in records for piece in _expand_runs(r[-1])])
    out = {"staff_id": np.repeat(np.array([r[0] for r in records], dtype=object), counts)}
    for i, (_key, col, kind) in enumerate(cols, start=1):
        sep = SEP if kind == "str" else ","
        out[col] = _decode(sep.join(r[i] for r in records).split(sep), kind)
    back = np.argsort(ord_, kind="stable")
    return pd.DataFrame({col: pd.Series(out[col][back]).astype(dtype)
                         for col, dtype in TABLE_COLUMNS[table].items()})


def _config_from_json(text: str | None):
    if not text:
        return None
    from ..config import DEFAULTS, Config

    stored = json.loads(text)
    values = {sec: {k: v for k, v in body.items() if k in DEFAULTS.get(sec, {})}
              for sec, body in stored.get("values", {}).items() if sec in DEFAULTS}
    return Config.from_mapping(values, stored.get("source") or "neo4j")


def _iso(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _iso_end(text: str | None) -> dt.date | None:
    return None if text is None or text == OPEN_END.isoformat() else dt.date.fromisoformat(text)


def _one(driver, name: str, database: str | None, params: dict | None = None):
    records = _fetch(driver, name, database, params)
    return records[0] if records else None


def _load_hint(org: str) -> str:
    return "`orgraph db load DATA`" if org == DEFAULT_ORG else f"`orgraph db load DATA --org {org}`"


def org_meta(driver, *, org: str | None = None, database: str | None = None, source: str = "") -> dict:
    """The metadata of the org to read: the one named ``org``, else the only org in the database.

    Raises
    ------
    SourceError
        The database holds no org, several (and none was named), none of that
        name, an org written by an older orgraph, or an org whose last load did
        not finish. Each message says how to fix it.
    """
    where = f" at {safe_uri(source)}" if source else ""
    metas = [r.data() for r in _fetch(driver, "read_meta", database)]
    named = [m for m in metas if m["org"] is not None]
    if org is not None:
        check_org(org)
    if not named:
        if metas:
            raise SourceError(f"the Neo4j database{where} holds an org written by an older orgraph (graph model 1); "
                              f"load the bundle again with `orgraph db load DATA`")
        raise SourceError(f"the Neo4j database{where} holds no orgraph data; load a bundle first with "
                          f"`orgraph db load DATA`")
    names = [m["org"] for m in named]
    if org is None and len(named) > 1:
        raise SourceError(f"the Neo4j database{where} holds {len(named)} orgs ({', '.join(names)}); name one, as in "
                          f"{safe_uri(split_org(source)[0]) if source else 'bolt://host:7687'}?org={names[0]}")
    if org is not None and org not in names:
        raise SourceError(f"the Neo4j database{where} holds no org named {org!r}; it holds: {', '.join(names)}")
    meta = named[0] if org is None else named[names.index(org)]
    name = meta["org"]
    if meta["loading"] is not None or meta["load_id"] is None:
        since = f" (started {meta['loading_since']})" if meta["loading_since"] else ""
        raise SourceError(f"the org {name!r} in the Neo4j database{where} is incomplete: a load{since} has not "
                          f"finished (it is still running, or it stopped). Load the bundle again with "
                          f"{_load_hint(name)} to complete it")
    if meta["model_version"] != MODEL_VERSION:
        raise SourceError(f"the org {name!r} in the Neo4j database{where} was written by another orgraph (graph "
                          f"model {meta['model_version']}, this one reads {MODEL_VERSION}); load the bundle again "
                          f"with {_load_hint(name)}")
    return meta


def read_org_from(driver, *, org: str | None = None, database: str | None = None, source: str = "") -> OrgData:
    """Read an org stored in Neo4j back into an :class:`OrgData` (see :func:`read_org`).

    The org's load id is read before and after its records: a load that ran
    meanwhile is an error, never a mix of two loads.
    """
    meta = org_meta(driver, org=org, database=database, source=source)
    params = {"org": meta["org"]}
    data = OrgData(source=source)
    for pid, name, line in _one(driver, "read_programs", database, params)["rows"]:
        data.programs[pid] = Program(pid, name, line)
    for pid, title, prog, kind, budget, capacity, inferred in _one(driver, "read_positions", database,
                                                                   params)["rows"]:
        data.positions[pid] = Position(pid, title, prog, kind, budget, 1 if capacity is None else capacity,
                                       bool(inferred))
    for sid, name, disc, hire, term, ttype, reason, fte, salary, lic, external in \
            _one(driver, "read_staff", database, params)["rows"]:
        data.staff[sid] = Staff(sid, name, disc, _iso(hire), _iso(term), ttype, reason,
                                1.0 if fte is None else fte, salary, lic, bool(external))
    for name, cls, other in (("read_assignments", Assignment, "position_id"),
                             ("read_supervision", Supervision, "supervisor_id")):
        r = _one(driver, name, database, params)
        recs = [cls(a, b, _iso(f), _iso_end(t)) for a, b, f, t in zip(r["staff_id"], r[other], r["from"], r["to"])]
        setattr(data, "assignments" if cls is Assignment else "supervision", recs)
    for table in _SERIES:
        setattr(data, table, _series_frame(_one(driver, f"read_{table}", database, params)["rows"], table))
    after = [r.data() for r in _fetch(driver, "read_meta", database) if r["org"] == meta["org"]]
    if not after or after[0]["load_id"] != meta["load_id"] or after[0]["loading"] is not None:
        where = f" at {safe_uri(source)}" if source else ""
        raise SourceError(f"the org {meta['org']!r} in the Neo4j database{where} changed while it was being read "
                          f"(a load or wipe ran meanwhile); read it again when that is done")
    data.present = set(meta["present"] or [])
    data.config = _config_from_json(meta["config"])
    return data


def read_org(uri: str = DEFAULT_URI, *, user: str | None = None, password: str | None = None,
             database: str | None = None, org: str | None = None) -> OrgData:
    """Read the org stored in the Neo4j database at ``uri`` into an :class:`OrgData`.

    The result equals the bundle that was loaded (same records, same order,
    same tables), so every analysis gives the same answer from either source.
    ``org`` (or ``?org=NAME`` in ``uri``) names the org when the database holds
    several. ``user`` defaults to ``$ORGRAPH_NEO4J_USER`` (else ``neo4j``),
    ``password`` to ``$NEO4J_PASSWORD``.

    Raises
    ------
    SourceError
        The server cannot be reached, refuses the credentials, holds no org (or
        several, and none was named), or the org's last load did not finish.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    bare, named = split_org(uri)
    if org is not None and named is not None and org != named:
        raise SourceError(f"two org names given: {org!r} and {named!r} in {safe_uri(uri)!r}")
    driver = connect(bare, user=user, password=password)
    try:
        return read_org_from(driver, org=org or named, database=database, source=uri)
    except (Neo4jError, DriverError) as exc:
        raise SourceError(f"reading the org from Neo4j at {safe_uri(uri)} failed: "
                          f"{(getattr(exc, 'message', None) or str(exc)).splitlines()[0]}") from None
    finally:
        driver.close()


# ----------------------------------------------------------- wipe and query
def wipe(driver, *, database: str | None = None, schema: bool = False, org: str | None = None) -> int:
    """Delete every orgraph node (and relationship), or only the org named ``org``; with ``schema`` also
    orgraph's constraints and indexes.

    Returns the number of nodes deleted. Nodes with other labels are left alone.
    Wiping everything also deletes the load lock: a load running meanwhile stops.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    if org is not None:
        check_org(org)
    try:
        with driver.session(database=database) as session:
            deleted = session.run(query("wipe"), {"org": org}).single()["deleted"]
            if schema:
                for stmt in statements("drop_schema"):
                    session.run(stmt).consume()
    except (Neo4jError, DriverError) as exc:
        raise SourceError(f"wiping the database failed: {getattr(exc, 'message', None) or exc}") from None
    return int(deleted)


def query_defaults(driver, *, org: str | None = None, database: str | None = None) -> dict:
    """Default query parameters: the settings of the loaded bundle (else orgraph's defaults), ``as_of`` today."""
    from ..config import Config

    meta = org_meta(driver, org=org, database=database)
    cfg = _config_from_json(meta["config"]) or Config.from_mapping({}, "defaults")
    out = {"as_of": dt.date.today()}
    for param, (section, key) in _PARAM_SETTINGS.items():
        out[param] = cfg.get(section, key)
    return out


def _plain(value):
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_query(driver, name: str, params: dict | None = None, *, org: str | None = None,
              database: str | None = None) -> list[dict]:
    """Run one of the leadership questions (:data:`QUERIES`) and return its rows as plain dicts.

    Each value is checked against the parameter's declaration in the query file
    (type and range; text such as ``"2024-06-30"`` or ``"8"`` is converted).
    Missing parameters take :func:`query_defaults`; unknown ones are errors.
    ``org`` names the org when the database holds several.

    Raises
    ------
    SourceError
        An unknown query or parameter, a value the parameter does not take, an
        org that cannot be read (see :func:`org_meta`), or a failed query.
    """
    from neo4j.exceptions import Neo4jError

    if name not in QUERIES:
        raise SourceError(f"unknown query {name!r}; choose one of: {', '.join(QUERIES)}")
    values = check_values(name, dict(params or {}))
    meta = org_meta(driver, org=org, database=database)
    missing = [p for p in QUERIES[name] if p not in values]
    if missing:
        defaults = check_values(name, {p: v for p, v in query_defaults(driver, org=meta["org"], database=database)
                                       .items() if p in missing})
        values.update(defaults)
    values["org"] = meta["org"]
    values["open_end"] = OPEN_END
    try:
        records = _fetch(driver, name, database, values)
    except Neo4jError as exc:
        raise SourceError(f"query {name} failed: {exc.message or exc}") from None
    return [{k: _plain(v) for k, v in r.items()} for r in records]
