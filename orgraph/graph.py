"""The temporal org graph.

:class:`OrgGraph` holds a validated bundle as a NetworkX ``MultiDiGraph``:

* nodes ``"staff:<id>"``, ``"position:<id>"`` and ``"program:<id>"`` with a
  ``kind`` attribute (``staff``, ``position``, ``program``), the raw ``id`` and
  the record's fields;
* edges ``HOLDS`` (staff → position), ``SUPERVISED_BY`` (staff → supervisor)
  and ``IN_PROGRAM`` (position → program), each with ``start`` and ``end``.

Intervals are **half-open**: ``start`` is the first day the relation holds and
``end`` is the first day it no longer holds (``None`` while ongoing). A bundle's
end dates are inclusive last days, so an assignment whose ``end_date`` is D has
``end`` D + 1: it holds on D and not on D + 1. This module is the one place that
answers "as of date D".

For fast sweeps the same intervals are offered as sorted DataFrames
(:attr:`OrgGraph.staff_frame`, :attr:`OrgGraph.assignment_frame`,
:attr:`OrgGraph.supervision_frame`), where open ends are censored at
``data_end + 1`` and an ``open`` column says which were ongoing.

The org on one day is :meth:`OrgGraph.on_day` (a :class:`DaySnapshot`: who is
employed, the relations holding and each person's seat, as arrays over the
tables, computed once per day); :meth:`OrgGraph.snapshot` is the same day as a
NetworkX ``DiGraph``. Neither needs the ``MultiDiGraph``.
"""
from __future__ import annotations

import datetime as dt
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd

from .model import OrgData, values

__all__ = ["OrgGraph", "DaySnapshot", "node_key", "split_key", "ONE_DAY", "as_date"]

ONE_DAY = dt.timedelta(days=1)


def node_key(kind: str, id_: str) -> str:
    """The graph node key for a record.

    Examples
    --------
    >>> node_key("staff", "S-1")
    'staff:S-1'
    """
    return f"{kind}:{id_}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of :func:`node_key`.

    Examples
    --------
    >>> split_key("position:P:7")
    ('position', 'P:7')
    """
    kind, _, id_ = key.partition(":")
    return kind, id_


def as_date(value) -> dt.date:
    """Coerce a date, datetime, Timestamp or ISO string to ``datetime.date``.

    Examples
    --------
    >>> as_date("2024-03-01")
    datetime.date(2024, 3, 1)
    """
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    raise TypeError(f"cannot read {value!r} as a date")


def _day_objects(s: pd.Series) -> list:
    """A column of dates as ``datetime.date`` objects (``None`` for ``NaT``)."""
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(object).tolist()


_ID_OF = {"staff": "staff_id", "positions": "position_id", "programs": "program_id"}


def _iso(days: np.ndarray) -> list:
    """``datetime64[D]`` days as ISO strings (``None`` for ``NaT``), as ``date.isoformat`` writes them.

    Examples
    --------
    >>> _iso(np.array(["2024-01-02", "NaT"], dtype="datetime64[D]"))
    ['2024-01-02', None]
    """
    if not len(days):
        return []
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    return text.tolist()


def _excl(end: dt.date | None) -> dt.date | None:
    return None if end is None else end + ONE_DAY


def _holds(attrs: dict, day: dt.date) -> bool:
    end = attrs.get("end")
    return attrs["start"] <= day and (end is None or day < end)


def _days(s: pd.Series) -> np.ndarray:
    """A column of Timestamps as ``datetime64[D]`` (``NaT`` stays ``NaT``)."""
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _rows_in(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """The row number in ``index`` of each id (``-1`` for an id it does not hold)."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    return index.get_indexer(np.asarray(ids, dtype=object)).astype(np.int64)


def holding_rows(u: np.ndarray, v: np.ndarray, start: np.ndarray, end: np.ndarray, day: np.datetime64,
                 keep: np.ndarray) -> np.ndarray:
    """The rows of a relation table that hold on ``day``, one per ``(u, v)`` pair, in snapshot order.

    ``start`` and ``end`` are the rows' first and last days (``datetime64[D]``, ``NaT`` for an open end); a
    row holds on ``day`` when ``start <= day <= end``. Of the rows with ``keep`` that hold, each ``(u, v)``
    pair keeps its last row in the table (the pair's later rows overwrite its attributes in a
    :class:`networkx.DiGraph`), and the pairs come ordered by ``u``, then by the first row of the pair in the
    whole table (where the ``MultiDiGraph`` first met the pair). ``u`` and ``v`` are non-negative codes.

    Examples
    --------
    >>> d = np.array(["2020-01-01", "2020-01-01", "2019-01-01", "2020-01-01"], dtype="datetime64[D]")
    >>> e = np.array(["NaT", "NaT", "NaT", "2019-12-31"], dtype="datetime64[D]")
    >>> holding_rows(np.array([1, 0, 1, 0]), np.array([5, 6, 5, 7]), d, e, np.datetime64("2020-06-01"),
    ...              np.ones(4, dtype=bool)).tolist()
    [1, 2]
    """
    n = len(u)
    if not n:
        return np.zeros(0, dtype=np.int64)
    key = u.astype(np.int64) * (int(v.max()) + 1) + v
    _, first_row, inverse = np.unique(key, return_index=True, return_inverse=True)
    first = first_row[inverse.ravel()]
    on = keep & (start <= day) & (np.isnat(end) | (end >= day))
    r = np.flatnonzero(on)
    r = r[np.lexsort((r, key[r]))]
    k = key[r]
    r = r[np.r_[k[1:] != k[:-1], True]] if len(r) else r
    return r[np.lexsort((first[r], u[r]))]


class DaySnapshot:
    """The org on one day, as row numbers into the bundle's tables (:meth:`OrgGraph.on_day`).

    ``staff``: rows of the staff table employed on the day (``hire <= day <= termination``), in table
    order. ``holds`` and ``supervised``: rows of the assignments and supervision tables holding on the
    day, one per (person, seat) and (person, supervisor) pair, among employed people and supervisors,
    in the snapshot's order (see :func:`holding_rows`). ``seat``: for each employed person, the
    positions-table row of the seat they hold that day (the last of their ``HOLDS`` links; ``-1`` for
    none). ``in_program``: whether the seats' ``IN_PROGRAM`` links hold (they start on the first hire
    date). ``positions``: the positions table the rows refer to (read-only). :meth:`nodes` and
    :meth:`edges` give the same day as :meth:`OrgGraph.snapshot` does, in its order, without the
    ``MultiDiGraph``.
    """

    def __init__(self, org: "OrgGraph", day: dt.date):
        data = org.data
        self.day = day
        d = np.datetime64(day, "D")
        # each table once (a bundle whose records were asked for rebuilds its tables on every call)
        self._staff, self._programs = data.table("staff"), data.table("programs")
        self.positions = data.table("positions")
        self._asg, self._sv = data.table("assignments"), data.table("supervision")
        staff, pos = self._staff, self.positions
        hire, term = _days(staff["hire_date"]), _days(staff["termination_date"])
        employed = (hire <= d) & (np.isnat(term) | (term >= d))
        self.staff = np.flatnonzero(employed)
        first = hire.min() if len(hire) else np.datetime64("1970-01-01", "D")
        self.in_program = bool(first <= d)
        sidx, pidx = pd.Index(staff["staff_id"].astype(object)), pd.Index(pos["position_id"].astype(object))
        a = self._asg
        au, av = _rows_in(a["staff_id"], sidx), _rows_in(a["position_id"], pidx)
        ok = (au >= 0) & (av >= 0)
        ok[ok] = employed[au[ok]]
        self.holds = holding_rows(np.maximum(au, 0), np.maximum(av, 0), _days(a["start"]), _days(a["end"]), d, ok)
        self.holds_staff, self.holds_seat = au[self.holds], av[self.holds]
        sv = self._sv
        su, sp = _rows_in(sv["staff_id"], sidx), _rows_in(sv["supervisor_id"], sidx)
        ok = (su >= 0) & (sp >= 0)
        ok[ok] = employed[su[ok]] & employed[sp[ok]]
        self.supervised = holding_rows(np.maximum(su, 0), np.maximum(sp, 0), _days(sv["start"]), _days(sv["end"]),
                                       d, ok)
        self.supervised_staff, self.supervisor = su[self.supervised], sp[self.supervised]
        seat_of = np.full(len(staff), -1, dtype=np.int64)
        hs = self.holds_staff                                 # sorted: each person's links are together
        last = np.r_[hs[1:] != hs[:-1], True] if len(hs) else np.zeros(0, dtype=bool)
        seat_of[hs[last]] = self.holds_seat[last]             # the last HOLDS link of each person wins
        self.seat = seat_of[self.staff]

    @cached_property
    def staff_ids(self) -> np.ndarray:
        """Ids of the people employed on the day (table order), as objects."""
        return np.asarray(self._staff["staff_id"], dtype=object)[self.staff]

    def seat_column(self, column: str) -> pd.Series:
        """A positions-table column for the seat of each employed person (indexed by ``staff_id``; ``None``
        for people holding no seat)."""
        col = np.asarray(values(self.positions[column]) + [None], dtype=object)
        return pd.Series(col[self.seat], index=pd.Index(self.staff_ids, name="staff_id"), dtype=object)

    def programs(self) -> pd.Series:
        """The program of each employed person's seat that day (indexed by ``staff_id``, ``None`` without one)."""
        return self.seat_column("program_id")

    def spans(self) -> pd.Series:
        """Direct supervisees on the day of each supervisor with any (indexed by the supervisor's ``staff_id``),
        in the order the supervisors first appear in the snapshot's links."""
        ids = np.asarray(self._staff["staff_id"], dtype=object)
        sup = pd.Series(ids[self.supervisor], dtype=object)
        counts = sup.value_counts(sort=False)
        return counts.reindex(pd.unique(sup)).astype(np.int64) if len(sup) else counts.astype(np.int64)

    def nodes(self):
        """``(key, attributes)`` of every node of :meth:`OrgGraph.snapshot`, in its order."""
        day = self.day
        staff = self._staff.iloc[self.staff]
        hire, term = _day_objects(staff["hire_date"]), _day_objects(staff["termination_date"])
        cols = [values(staff[c]) for c in ("staff_id", "name", "discipline", "termination_type",
                                            "termination_reason", "fte", "annual_salary", "license", "external")]
        pos = self.positions
        pcols = [values(pos[c]) for c in ("position_id", "title", "program_id", "role_kind", "budgeted_caseload",
                                          "capacity")]
        for (sid, name, disc, ttype, reason, fte, sal, lic, ext), h, t, seat in zip(zip(*cols), hire, term,
                                                                                      self.seat.tolist()):
            a = {"kind": "staff", "id": sid, "name": name, "discipline": disc, "hire_date": h,
                 "termination_date": t, "termination_type": ttype, "termination_reason": reason, "fte": fte,
                 "annual_salary": None if sal != sal else sal, "license": lic, "external": ext, "start": h,
                 "end": _excl(t), "tenure_days": (day - h).days}
            if seat >= 0:
                a["role_kind"], a["program_id"], a["position_id"] = pcols[3][seat], pcols[2][seat], pcols[0][seat]
            yield node_key("staff", sid), a
        programs = self._programs
        for pid, name, line in zip(*(values(programs[c]) for c in ("program_id", "name", "service_line"))):
            yield node_key("program", pid), {"kind": "program", "id": pid, "name": name, "service_line": line}
        for pid, title, prog, kind, budget, cap in zip(*pcols):
            yield node_key("position", pid), {"kind": "position", "id": pid, "title": title, "program_id": prog,
                                              "role_kind": kind, "budgeted_caseload": None if budget != budget
                                              else budget, "capacity": int(cap)}

    def edges(self):
        """``(u, v, attributes)`` of every edge of :meth:`OrgGraph.snapshot`, in its order."""
        ids = values(self._staff["staff_id"])
        pos = values(self.positions["position_id"])
        a, sv = self._asg, self._sv
        parts = []
        for kind, rows, u, v, t, names in (("HOLDS", self.holds, self.holds_staff, self.holds_seat, a, pos),
                                           ("SUPERVISED_BY", self.supervised, self.supervised_staff,
                                            self.supervisor, sv, ids)):
            start, end = _day_objects(t["start"].iloc[rows]), _day_objects(t["end"].iloc[rows])
            target = "position" if kind == "HOLDS" else "staff"
            parts.append([(u_, node_key("staff", ids[u_]), node_key(target, names[v_]),
                           {"kind": kind, "start": s, "end": _excl(e)})
                          for u_, v_, s, e in zip(u.tolist(), v.tolist(), start, end)])
        # each person's seats, then their supervisors (the order the MultiDiGraph met them)
        both = parts[0] + parts[1]
        order = np.argsort(np.r_[self.holds_staff, self.supervised_staff], kind="stable")
        for i in order.tolist():
            yield both[i][1:]
        if self.in_program:
            hire = self._staff["hire_date"]
            first = hire.min().date() if len(hire) else dt.date(1970, 1, 1)
            for pid, prog in zip(pos, values(self.positions["program_id"])):
                yield node_key("position", pid), node_key("program", prog), {"kind": "IN_PROGRAM", "start": first,
                                                                              "end": None}

    def node_columns(self) -> list[tuple[list, list[str], list[list]]]:
        """The nodes of :meth:`nodes` as columns, in three sections (people, programs, seats): for each,
        ``(node keys, attribute names, columns)``, ``columns[j][i]`` being attribute ``names[j]`` of node ``i``.

        The values are those :meth:`nodes` gives, except that dates are ISO strings (``YYYY-MM-DD``) and a
        person without a seat has ``None`` for ``role_kind``, ``program_id`` and ``position_id`` (where
        :meth:`nodes` leaves them out).

        Examples
        --------
        >>> from orgraph.model import OrgData, Staff, Program, Position, Assignment
        >>> d = dt.date
        >>> data = OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", d(2020, 1, 1))},
        ...                programs={"OP": Program("OP", "Outpatient", "outpatient")},
        ...                positions={"P1": Position("P1", "Therapist", "OP", "clinician")},
        ...                assignments=[Assignment("S1", "P1", d(2020, 1, 1))], supervision=[])
        >>> people = OrgGraph(data).on_day(d(2020, 3, 1)).node_columns()[0]
        >>> people[0], dict(zip(people[1], (c[0] for c in people[2])))["hire_date"]
        (['staff:S1'], '2020-01-01')
        """
        d = np.datetime64(self.day, "D")
        staff = self._staff.iloc[self.staff]
        hire, term = _days(staff["hire_date"]), _days(staff["termination_date"])
        ids = values(staff["staff_id"])
        sal = [None if v is not None and v != v else v for v in values(staff["annual_salary"])]
        pos = self.positions
        seat = self.seat
        has = seat >= 0

        def seat_col(c: str) -> list:
            col = np.asarray(values(pos[c]) + [None], dtype=object)
            return col[np.where(has, seat, len(pos))].tolist()

        hire_s, term_s, end_s = _iso(hire), _iso(term), _iso(term + np.timedelta64(1, "D"))
        people = ([node_key("staff", i) for i in ids],
                  ["kind", "id", "name", "discipline", "hire_date", "termination_date", "termination_type",
                   "termination_reason", "fte", "annual_salary", "license", "external", "start", "end",
                   "tenure_days", "role_kind", "program_id", "position_id"],
                  [["staff"] * len(ids), ids, values(staff["name"]), values(staff["discipline"]), hire_s, term_s,
                   values(staff["termination_type"]), values(staff["termination_reason"]), values(staff["fte"]),
                   sal, values(staff["license"]), values(staff["external"]), hire_s, end_s,
                   (d - hire).astype(np.int64).tolist(), seat_col("role_kind"), seat_col("program_id"),
                   seat_col("position_id")])
        programs = self._programs
        pids = values(programs["program_id"])
        progs = ([node_key("program", p) for p in pids], ["kind", "id", "name", "service_line"],
                 [["program"] * len(pids), pids, values(programs["name"]), values(programs["service_line"])])
        sids = values(pos["position_id"])
        seats = ([node_key("position", p) for p in sids],
                 ["kind", "id", "title", "program_id", "role_kind", "budgeted_caseload", "capacity"],
                 [["position"] * len(sids), sids, values(pos["title"]), values(pos["program_id"]),
                  values(pos["role_kind"]), [None if b is not None and b != b else b
                                             for b in values(pos["budgeted_caseload"])],
                  [int(c) for c in values(pos["capacity"])]])
        return [people, progs, seats]

    def edge_columns(self) -> tuple[list, list, list, list, list]:
        """The edges of :meth:`edges` as columns: ``(sources, targets, kinds, starts, ends)``, in its order,
        with dates as ISO strings (``None`` for an open end).

        Examples
        --------
        >>> from orgraph.model import OrgData, Staff, Program, Position, Assignment
        >>> d = dt.date
        >>> data = OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", d(2020, 1, 1))},
        ...                programs={"OP": Program("OP", "Outpatient", "outpatient")},
        ...                positions={"P1": Position("P1", "Therapist", "OP", "clinician")},
        ...                assignments=[Assignment("S1", "P1", d(2020, 1, 1), d(2020, 6, 30))], supervision=[])
        >>> [list(c) for c in zip(*OrgGraph(data).on_day(d(2020, 3, 1)).edge_columns())]
        [['staff:S1', 'position:P1', 'HOLDS', '2020-01-01', '2020-07-01'], \
['position:P1', 'program:OP', 'IN_PROGRAM', '2020-01-01', None]]
        """
        ids = np.asarray(values(self._staff["staff_id"]), dtype=object)
        pos = values(self.positions["position_id"])
        a, sv = self._asg, self._sv
        order = np.argsort(np.r_[self.holds_staff, self.supervised_staff], kind="stable")
        staff_keys = np.asarray([node_key("staff", i) for i in ids.tolist()] + [None], dtype=object)
        seat_keys = np.asarray([node_key("position", p) for p in pos] + [None], dtype=object)
        src = np.r_[self.holds_staff, self.supervised_staff].astype(np.int64)[order]
        tgt = np.concatenate([seat_keys[self.holds_seat], staff_keys[self.supervisor]])[order]
        kinds = np.asarray(["HOLDS"] * len(self.holds) + ["SUPERVISED_BY"] * len(self.supervised),
                           dtype=object)[order]
        start = np.concatenate([_days(a["start"])[self.holds], _days(sv["start"])[self.supervised]])[order]
        end = np.concatenate([_days(a["end"])[self.holds], _days(sv["end"])[self.supervised]])[order]
        sources, targets, kinds = staff_keys[src].tolist(), tgt.tolist(), kinds.tolist()
        starts, ends = _iso(start), _iso(end + np.timedelta64(1, "D"))
        if self.in_program:
            hire = self._staff["hire_date"]
            first = hire.min().date().isoformat() if len(hire) else "1970-01-01"
            progs = values(self.positions["program_id"])
            sources += seat_keys[:-1].tolist()
            targets += [node_key("program", p) for p in progs]
            kinds += ["IN_PROGRAM"] * len(progs)
            starts += [first] * len(progs)
            ends += [None] * len(progs)
        return sources, targets, kinds, starts, ends

    def graph(self) -> nx.DiGraph:
        """The day as a NetworkX ``DiGraph`` (what :meth:`OrgGraph.snapshot` returns)."""
        H = nx.DiGraph(as_of=self.day.isoformat())
        H.add_nodes_from(self.nodes())
        H.add_edges_from(self.edges())
        return H


class OrgGraph:
    """A bundle as a temporal graph.

    Parameters
    ----------
    data : OrgData
        A validated bundle (see :func:`orgraph.load`).
    data_end : date, optional
        Last day the data describes. Defaults to the ``[data] end`` setting of
        the bundle's config, else the latest date found in the bundle.

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff, Program, Position, Assignment, Supervision
    >>> d = dt.date
    >>> data = OrgData(
    ...     staff={"S1": Staff("S1", "Ana", "LCSW", d(2020, 1, 1)),
    ...            "S2": Staff("S2", "Bo", "LPC", d(2020, 1, 1), d(2021, 6, 30), "voluntary")},
    ...     programs={"OP": Program("OP", "Outpatient", "outpatient")},
    ...     positions={"P1": Position("P1", "Supervisor", "OP", "supervisor"),
    ...                "P2": Position("P2", "Therapist", "OP", "clinician")},
    ...     assignments=[Assignment("S1", "P1", d(2020, 1, 1)), Assignment("S2", "P2", d(2020, 1, 1), d(2021, 6, 30))],
    ...     supervision=[Supervision("S2", "S1", d(2020, 1, 1), d(2021, 6, 30))],
    ... )
    >>> org = OrgGraph(data)
    >>> org.supervisees("S1", d(2021, 6, 30)), org.supervisees("S1", d(2021, 7, 1))
    (['S2'], [])
    >>> sorted(org.active_staff(d(2021, 7, 1)))
    ['S1']
    """

    def __init__(self, data: OrgData, *, data_end: dt.date | None = None):
        self.data = data
        self.config = data.config
        self.data_start, latest = self._date_range()
        cfg_end = None
        if data_end is None and self.config is not None:
            cfg_end = self.config.get("data", "end")
        self.data_end: dt.date = as_date(data_end or cfg_end or latest)

    # ------------------------------------------------------------------ build
    @cached_property
    def G(self) -> nx.MultiDiGraph:
        """The whole org as a NetworkX ``MultiDiGraph`` (see the module docs), built on first use."""
        G, data = nx.MultiDiGraph(), self.data
        staff = data.table("staff")
        hire = _day_objects(staff["hire_date"])
        term = _day_objects(staff["termination_date"])
        cols = [values(staff[c]) for c in ("staff_id", "name", "discipline", "termination_type",
                                            "termination_reason", "fte", "annual_salary", "license", "external")]
        for (sid, name, disc, ttype, reason, fte, sal, lic, ext), h, t in zip(zip(*cols), hire, term):
            G.add_node(node_key("staff", sid), kind="staff", id=sid, name=name, discipline=disc, hire_date=h,
                       termination_date=t, termination_type=ttype, termination_reason=reason, fte=fte,
                       annual_salary=None if sal != sal else sal, license=lic, external=ext, start=h, end=_excl(t))
        programs = data.table("programs")
        for pid, name, line in zip(*(values(programs[c]) for c in ("program_id", "name", "service_line"))):
            G.add_node(node_key("program", pid), kind="program", id=pid, name=name, service_line=line)
        first = min(hire, default=dt.date(1970, 1, 1))
        pos = data.table("positions")
        for pid, title, prog, kind, budget, cap in zip(*(values(pos[c]) for c in (
                "position_id", "title", "program_id", "role_kind", "budgeted_caseload", "capacity"))):
            G.add_node(node_key("position", pid), kind="position", id=pid, title=title, program_id=prog,
                       role_kind=kind, budgeted_caseload=None if budget != budget else budget, capacity=int(cap))
            G.add_edge(node_key("position", pid), node_key("program", prog), key="IN_PROGRAM", kind="IN_PROGRAM",
                       start=first, end=None)
        for name, kind, target, other in (("assignments", "HOLDS", "position", "position_id"),
                                          ("supervision", "SUPERVISED_BY", "staff", "supervisor_id")):
            t = data.table(name)
            for i, (u, v, start, end) in enumerate(zip(values(t["staff_id"]), values(t[other]),
                                                        _day_objects(t["start"]), _day_objects(t["end"]))):
                G.add_edge(node_key("staff", u), node_key(target, v), key=f"{kind}:{start.isoformat()}:{i}",
                           kind=kind, start=start, end=_excl(end))
        return G

    def _date_range(self) -> tuple[dt.date, dt.date]:
        data = self.data
        lo: list[pd.Timestamp] = []
        hi: list[pd.Timestamp] = []
        staff = data.table("staff")
        if len(staff):
            lo.append(staff["hire_date"].min())
            hi.append(staff["termination_date"].fillna(staff["hire_date"]).max())
        for name in ("assignments", "supervision"):
            t = data.table(name)
            if len(t):
                hi.append(t["end"].fillna(t["start"]).max())
        for frame, col, month in ((data.caseload, "month", True), (data.documentation, "month", True),
                                  (data.supervision_sessions, "date", False)):
            if len(frame):
                last = frame[col].max()
                if month:
                    last = last + pd.offsets.MonthEnd(0)
                hi.append(last)
        if len(data.client_assignments):
            hi.append(data.client_assignments["start_date"].max())
            last_end = data.client_assignments["end_date"].max()  # skips NaT; no .dropna(): its filtered
            # copy makes pandas cache the table's whole row-number array on its index for as long as the table lives
            if pd.notna(last_end):
                hi.append(last_end)
        start = min(lo).date() if lo else dt.date(1970, 1, 1)
        return start, max(hi).date() if hi else start

    # ------------------------------------------------------------- as-of API
    def on_day(self, as_of) -> DaySnapshot:
        """The org on ``as_of`` as row numbers into the tables (:class:`DaySnapshot`), computed once per day
        (the last few days asked for are kept) and shared by everyone who asks for that day."""
        day = as_date(as_of)
        cache = self.__dict__.setdefault("_on_day", {})
        if day not in cache:
            while len(cache) >= 2:
                cache.pop(next(iter(cache)))
            cache[day] = DaySnapshot(self, day)
        return cache[day]

    def snapshot(self, as_of) -> nx.DiGraph:
        """The org as it stood on ``as_of``: a plain ``DiGraph``.

        Nodes: staff employed that day, every position (vacant seats are
        information) and every program. Edges: the ``HOLDS``,
        ``SUPERVISED_BY`` and ``IN_PROGRAM`` relations holding that day, with
        their ``kind``, ``start`` and ``end``. Staff nodes also get
        ``role_kind`` and ``program_id`` from the seat they hold that day and
        ``tenure_days``. Built from :meth:`on_day`, not from :attr:`G`.
        """
        return self.on_day(as_of).graph()

    def _neighbours(self, key: str, day: dt.date, kind: str, incoming: bool) -> list[str]:
        if key not in self.G:
            return []
        edges = self.G.in_edges(key, data=True) if incoming else self.G.out_edges(key, data=True)
        out = {(u if incoming else v) for u, v, a in edges if a["kind"] == kind and _holds(a, day)}
        return sorted(split_key(k)[1] for k in out)

    def _employed(self, as_of) -> pd.Series:
        """Per person (indexed by ``staff_id``): employed on ``as_of`` (hire ≤ D ≤ termination)."""
        day = pd.Timestamp(as_date(as_of))
        t = self.data.table("staff")
        on = (t["hire_date"] <= day) & (t["termination_date"].isna() | (day <= t["termination_date"]))
        return pd.Series(on.to_numpy(), index=t["staff_id"].to_numpy())

    def is_employed(self, staff_id: str, as_of) -> bool:
        """Whether ``staff_id`` was employed on ``as_of`` (hire ≤ D ≤ termination)."""
        return bool(self._employed(as_of).get(staff_id, False))

    def active_staff(self, as_of) -> list[str]:
        """Ids of staff employed on ``as_of``, sorted."""
        on = self._employed(as_of)
        return sorted(on.index[on.to_numpy()].tolist())

    def supervisees(self, supervisor_id: str, as_of) -> list[str]:
        """Direct supervisees of ``supervisor_id`` on ``as_of``."""
        return self._neighbours(node_key("staff", supervisor_id), as_date(as_of), "SUPERVISED_BY", True)

    def supervisors_of(self, staff_id: str, as_of) -> list[str]:
        """Supervisors of ``staff_id`` on ``as_of`` (usually one)."""
        return self._neighbours(node_key("staff", staff_id), as_date(as_of), "SUPERVISED_BY", False)

    def holders(self, position_id: str, as_of) -> list[str]:
        """Who held seat ``position_id`` on ``as_of``."""
        return self._neighbours(node_key("position", position_id), as_date(as_of), "HOLDS", True)

    def positions_of(self, staff_id: str, as_of) -> list[str]:
        """Seats ``staff_id`` held on ``as_of``."""
        return self._neighbours(node_key("staff", staff_id), as_date(as_of), "HOLDS", False)

    def programs_of(self, staff_id: str, as_of) -> list[str]:
        """Programs of the seats ``staff_id`` held on ``as_of``."""
        return sorted({self.data.positions[p].program_id for p in self.positions_of(staff_id, as_of)})

    def tenure_days(self, staff_id: str, as_of) -> int | None:
        """Days since hire on ``as_of`` (0 on the hire date); ``None`` if not employed then."""
        day = as_date(as_of)
        if not self.is_employed(staff_id, day):
            return None
        return (day - self.data.staff[staff_id].hire_date).days

    def by_id(self, table: str, column: str) -> dict:
        """One column of the ``staff``, ``positions`` or ``programs`` table by id, as its records
        (``data.staff`` and the like) hold it: dates as ``datetime.date``, ``None`` for a missing value. Read
        from the table without building records, once per column.

        Examples
        --------
        >>> from orgraph.model import OrgData, Staff
        >>> org = OrgGraph(OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", dt.date(2020, 1, 1))}))
        >>> org.by_id("staff", "name"), org.by_id("staff", "termination_date")
        ({'S1': 'Ana'}, {'S1': None})
        """
        cache = self.__dict__.setdefault("_by_id", {})
        got = cache.get((table, column))
        if got is None:
            t = self.data.table(table)
            col = t[column]
            vals = _day_objects(col) if pd.api.types.is_datetime64_any_dtype(col.dtype) else values(col)
            if col.dtype.kind == "f":
                vals = [None if v is not None and v != v else v for v in vals]
            got = cache[(table, column)] = dict(zip(values(t[_ID_OF[table]]), vals))
        return got

    # --------------------------------------------------------------- frames
    @property
    def censor(self) -> pd.Timestamp:
        """``data_end + 1`` as a Timestamp: where open intervals are cut."""
        return pd.Timestamp(self.data_end + ONE_DAY).as_unit("ns")

    @cached_property
    def assignment_frame(self) -> pd.DataFrame:
        """Assignments, one row each, sorted by ``start``: ``staff_id, position_id,
        program_id, role_kind, start, end`` (half-open, Timestamps) and ``open``."""
        df = self.data.table("assignments").copy()
        pos = self.data.table("positions").set_index("position_id")
        df["program_id"] = df["position_id"].map(pos["program_id"]) if len(pos) else None
        df["role_kind"] = df["position_id"].map(pos["role_kind"]) if len(pos) else None
        return self._interval_frame(df, ["staff_id", "position_id", "program_id", "role_kind"])

    @cached_property
    def supervision_frame(self) -> pd.DataFrame:
        """Supervision intervals sorted by ``start``: ``staff_id, supervisor_id, start,
        end`` (half-open, Timestamps) and ``open``."""
        df = self.data.table("supervision")
        return self._interval_frame(df, ["staff_id", "supervisor_id"])

    def _interval_frame(self, df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        if not len(df):
            return pd.DataFrame({**{k: pd.Series(dtype=object) for k in keys},
                                 "start": pd.Series(dtype="datetime64[ns]"),
                                 "end": pd.Series(dtype="datetime64[ns]"),
                                 "open": pd.Series(dtype=bool)})
        out = df[keys].copy()
        out["start"] = pd.to_datetime(df["start"]).astype("datetime64[ns]")
        end = pd.to_datetime(df["end"]).astype("datetime64[ns]")
        out["open"] = end.isna()
        out["end"] = (end + pd.Timedelta(days=1)).fillna(self.censor)
        out.loc[out["end"] > self.censor, "end"] = self.censor
        return out.sort_values(["start"] + keys, kind="stable").reset_index(drop=True)

    @cached_property
    def staff_frame(self) -> pd.DataFrame:
        """One row per person, indexed by ``staff_id``.

        Columns: ``name, discipline, hire`` (Timestamp), ``exit`` (last day, NaT
        if still employed), ``end`` (half-open end, censored at ``data_end + 1``),
        ``exited`` (left on or before ``data_end``), ``termination_type``, ``fte``,
        ``annual_salary``, ``external``, and ``role_kind``, ``position_id`` and
        ``program_id`` of their latest seat (``None`` if they never held one).
        """
        df = self.data.table("staff")
        if not len(df):
            df = pd.DataFrame(columns=["staff_id", "name", "discipline", "hire_date", "termination_date",
                                       "termination_type", "termination_reason", "fte", "annual_salary",
                                       "license", "external"])
        out = pd.DataFrame({"staff_id": df["staff_id"], "name": df["name"], "discipline": df["discipline"]})
        out["hire"] = pd.to_datetime(df["hire_date"]).astype("datetime64[ns]")
        out["exit"] = pd.to_datetime(df["termination_date"]).astype("datetime64[ns]")
        out["exited"] = out["exit"].notna() & (out["exit"] < self.censor)
        out["end"] = (out["exit"] + pd.Timedelta(days=1)).fillna(self.censor).clip(upper=self.censor)
        for c in ("termination_type", "termination_reason", "fte", "annual_salary", "external"):
            out[c] = df[c].values
        af = self.assignment_frame
        if len(af):
            last = af.sort_values(["staff_id", "start"]).groupby("staff_id").tail(1).set_index("staff_id")
            out["position_id"] = out["staff_id"].map(last["position_id"])
            out["program_id"] = out["staff_id"].map(last["program_id"])
            out["role_kind"] = out["staff_id"].map(last["role_kind"])
        else:
            out["position_id"] = out["program_id"] = out["role_kind"] = None
        out["role_kind"] = out["role_kind"].fillna("other")
        return out.set_index("staff_id", drop=False).sort_index()

    def role_kind_of(self, staff_id: str, as_of=None) -> str:
        """Role kind of the seat ``staff_id`` held on ``as_of`` (default: their latest seat)."""
        if as_of is not None:
            pos = self.positions_of(staff_id, as_of)
            if pos:
                return self.data.positions[pos[0]].role_kind
        return str(self.staff_frame.at[staff_id, "role_kind"])

    def __repr__(self) -> str:
        n = self.data.count("staff")
        return f"<OrgGraph {self.data.source or 'in-memory'}: {n} staff, {self.data_start}..{self.data_end}>"
