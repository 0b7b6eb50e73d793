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
* one ``(:OrgraphMeta {key: "bundle"})`` node with the optional files present
  and the bundle's settings.

Loading is idempotent: loading the same bundle twice changes nothing, and a
newer export of the same org updates intervals in place and deletes the
intervals of its people that it no longer has. Every query text comes from
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
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..model import (Assignment, OrgData, Position, Program, Staff, Supervision, TABLE_COLUMNS,
                     empty_table)
from .cypher import query, statements

__all__ = [
    "OPEN_END", "DEFAULT_URI", "KINDS", "QUERIES", "LoadSummary", "LoadError",
    "connect", "write_org", "read_org", "read_org_from", "wipe", "run_query", "query_defaults",
    "staff_rows", "batches",
]

#: Stored as ``to`` of an interval that is still ongoing (a MERGE key is never null).
OPEN_END = dt.date(9999, 12, 31)
DEFAULT_URI = "bolt://localhost:7687"
MODEL_VERSION = 1
META_KEY = "bundle"

#: Record kinds in load order, with the query that loads each.
KINDS = ("programs", "positions", "staff", "assignments", "supervision", "caseload", "documentation",
         "supervision_sessions", "client_assignments", "meta")

#: The leadership questions ``orgraph db query`` answers, with their parameters.
QUERIES = {
    "cascade_risk": ("as_of", "window_days", "lookback_days"),
    "overloaded_supervisors": ("as_of", "max_span"),
    "churn_positions": ("as_of", "window_months", "min_holders"),
    "snapshot": ("as_of",),
}

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


def connect(uri: str = DEFAULT_URI, *, user: str | None = None, password: str | None = None):
    """A verified :class:`neo4j.Driver` for ``uri``.

    ``user`` defaults to ``$ORGRAPH_NEO4J_USER`` (else ``neo4j``) and
    ``password`` to ``$NEO4J_PASSWORD``. The password is never put in a message.

    Raises
    ------
    SourceError
        No password, a malformed URI, an unreachable server or refused credentials.
    """
    import neo4j
    from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

    user = user or os.environ.get("ORGRAPH_NEO4J_USER") or "neo4j"
    shown = safe_uri(uri)
    if password is None:
        password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        raise SourceError(f"no password for Neo4j at {shown}: set the NEO4J_PASSWORD environment variable")
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password),
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
_POSITION_FIELDS = ("title", "program_id", "role_kind", "budgeted_caseload", "capacity")
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
        return {"uri": self.uri, "seconds": round(self.seconds, 3), "changed": self.changed,
                "kinds": self.records()}


class LoadError(SourceError):
    """A batch failed after its retries; ``summary`` holds what was written."""

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
    return f"Written: {written}. {head}{tail}. Loading the same data again is safe and completes the load."


# ------------------------------------------------------------------- writing
def _execute(session, text: str, params: dict) -> list[dict]:
    def work(tx):
        return [r.data() for r in tx.run(text, params)]

    return session.execute_write(work)


def write_org(data: OrgData, driver, *, database: str | None = None, batch_size: int = 10_000,
              progress: Progress | None = None, retries: int = 2, retry_wait: float = 0.5,
              uri: str = "") -> LoadSummary:
    """Load ``data`` into Neo4j: batched ``UNWIND $rows ... MERGE``, one managed transaction per batch.

    Parameters
    ----------
    data : OrgData
    driver : neo4j.Driver
        See :func:`connect`.
    database : str, optional
        Database name (default: the server's default database).
    batch_size : int
        Rows per transaction (a person's series counts one row per 20 items).
    progress : callable, optional
        Called as ``progress(kind, rows_done, rows_total)`` after every batch.
    retries : int
        How many times a failed batch is tried again before the load stops.

    Returns
    -------
    LoadSummary

    Raises
    ------
    LoadError
        A batch still failed after ``retries``; the message says what was and
        was not written (loading again is safe).
    """
    from neo4j.exceptions import DriverError, Neo4jError

    t0 = time.perf_counter()
    summary = LoadSummary(uri=uri)
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
    meta = {"key": META_KEY, "present": sorted(data.present), "config": _config_json(data),
            "model_version": MODEL_VERSION}

    def run(session, kind, text, params, done, total):
        last: Exception | None = None
        for attempt in range(retries + 1):
            try:
                return _execute(session, text, params)
            except (Neo4jError, DriverError, OSError) as exc:
                last = exc
                if attempt < retries:
                    time.sleep(retry_wait * (attempt + 1))
        reason = getattr(last, "message", None) or str(last)
        raise LoadError(f"loading into Neo4j{' at ' + safe_uri(uri) if uri else ''} stopped: a batch of {kind} failed "
                        f"{retries + 1} times ({reason}). {_progress_note(summary, kind, done, total)}",
                        summary) from None

    with driver.session(database=database) as session:
        for stmt in statements("schema"):
            try:
                session.run(stmt).consume()
            except (Neo4jError, DriverError, OSError) as exc:
                raise SourceError(f"cannot create the orgraph constraints in Neo4j: "
                                  f"{getattr(exc, 'message', None) or exc}") from None
        for kind, name, make_rows, extra, weight in plan:
            rows = make_rows()
            text, total, done, matched = query(name), len(rows), 0, 0
            for batch in batches(rows, batch_size, weight):
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
                raise LoadError(f"{total - matched:,} {what} refer to people, seats or programs that are not in "
                                f"the database, so they were not written. {_progress_note(summary, kind, total, total)}",
                                summary)
            if kind in prune:
                pname, make_prune = prune[kind]
                prows = make_prune()
                ptext = query(pname)
                for batch in batches(prows, batch_size, lambda r: len(r["keys"])):
                    for rec in run(session, kind, ptext, {"rows": batch}, done, total):
                        summary.add(kind, "removed", rec["removed"])
            summary.rows[kind] = len(getattr(data, kind)) if kind in _SERIES else total
        for rec in run(session, "meta", query("load_meta"), meta, 0, 1):
            summary.add("meta", rec["outcome"], rec["n"])
        summary.rows["meta"] = 1
    summary.seconds = time.perf_counter() - t0
    return summary


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


def read_org_from(driver, *, database: str | None = None, source: str = "") -> OrgData:
    """Read the org stored in Neo4j back into an :class:`OrgData` (see :func:`read_org`)."""
    meta = _fetch(driver, "read_meta", database, {"key": META_KEY})
    staff_rows_ = _one(driver, "read_staff", database)["rows"]
    if not meta and not staff_rows_:
        where = f" at {source}" if source else ""
        raise SourceError(f"the Neo4j database{where} holds no orgraph data; load a bundle first with "
                          f"`orgraph db load DATA`")
    data = OrgData(source=source)
    for pid, name, line in _one(driver, "read_programs", database)["rows"]:
        data.programs[pid] = Program(pid, name, line)
    for pid, title, prog, kind, budget, capacity in _one(driver, "read_positions", database)["rows"]:
        data.positions[pid] = Position(pid, title, prog, kind, budget, 1 if capacity is None else capacity)
    for sid, name, disc, hire, term, ttype, reason, fte, salary, lic, external in staff_rows_:
        data.staff[sid] = Staff(sid, name, disc, _iso(hire), _iso(term), ttype, reason,
                                1.0 if fte is None else fte, salary, lic, bool(external))
    for name, cls, other in (("read_assignments", Assignment, "position_id"),
                             ("read_supervision", Supervision, "supervisor_id")):
        r = _one(driver, name, database)
        recs = [cls(a, b, _iso(f), _iso_end(t)) for a, b, f, t in zip(r["staff_id"], r[other], r["from"], r["to"])]
        setattr(data, "assignments" if cls is Assignment else "supervision", recs)
    for table in _SERIES:
        setattr(data, table, _series_frame(_one(driver, f"read_{table}", database)["rows"], table))
    if meta:
        data.present = set(meta[0]["present"] or [])
        data.config = _config_from_json(meta[0]["config"])
    return data


def read_org(uri: str = DEFAULT_URI, *, user: str | None = None, password: str | None = None,
             database: str | None = None) -> OrgData:
    """Read the org stored in the Neo4j database at ``uri`` into an :class:`OrgData`.

    The result equals the bundle that was loaded (same records, same order,
    same tables), so every analysis gives the same answer from either source.
    ``user`` defaults to ``$ORGRAPH_NEO4J_USER`` (else ``neo4j``), ``password``
    to ``$NEO4J_PASSWORD``.

    Raises
    ------
    SourceError
        The server cannot be reached, refuses the credentials, or holds no org.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    driver = connect(uri, user=user, password=password)
    try:
        return read_org_from(driver, database=database, source=uri)
    except (Neo4jError, DriverError) as exc:
        raise SourceError(f"reading the org from Neo4j at {safe_uri(uri)} failed: {getattr(exc, 'message', None) or exc}") \
            from None
    finally:
        driver.close()


# ----------------------------------------------------------- wipe and query
def wipe(driver, *, database: str | None = None, schema: bool = False) -> int:
    """Delete every orgraph node (and relationship); with ``schema`` also its constraints and indexes.

    Returns the number of nodes deleted. Nodes with other labels are left alone.
    """
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        with driver.session(database=database) as session:
            deleted = session.run(query("wipe")).single()["deleted"]
            if schema:
                for stmt in statements("drop_schema"):
                    session.run(stmt).consume()
    except (Neo4jError, DriverError) as exc:
        raise SourceError(f"wiping the database failed: {getattr(exc, 'message', None) or exc}") from None
    return int(deleted)


def query_defaults(driver, *, database: str | None = None) -> dict:
    """Default query parameters: the settings of the loaded bundle (else orgraph's defaults), ``as_of`` today."""
    from ..config import Config

    meta = _fetch(driver, "read_meta", database, {"key": META_KEY})
    cfg = _config_from_json(meta[0]["config"]) if meta else None
    cfg = cfg or Config.from_mapping({}, "defaults")
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


def run_query(driver, name: str, params: dict | None = None, *, database: str | None = None) -> list[dict]:
    """Run one of the leadership queries (:data:`QUERIES`) and return its rows as plain dicts.

    Missing parameters take :func:`query_defaults`; unknown ones are errors.
    """
    from neo4j.exceptions import Neo4jError

    if name not in QUERIES:
        raise SourceError(f"unknown query {name!r}; choose one of: {', '.join(QUERIES)}")
    params = dict(params or {})
    unknown = sorted(set(params) - set(QUERIES[name]))
    if unknown:
        raise SourceError(f"query {name} has no parameter {unknown[0]!r}; it takes: {', '.join(QUERIES[name])}")
    missing = [p for p in QUERIES[name] if p not in params]
    if missing:
        defaults = query_defaults(driver, database=database)
        params.update({p: defaults[p] for p in missing})
    params["open_end"] = OPEN_END
    try:
        records = _fetch(driver, name, database, params)
    except Neo4jError as exc:
        raise SourceError(f"query {name} failed: {exc.message or exc}") from None
    return [{k: _plain(v) for k, v in r.items()} for r in records]
