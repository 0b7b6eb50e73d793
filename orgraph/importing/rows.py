"""Reading fields out of export rows, and the ledger that accounts for every row.

:class:`Fields` turns one source row into orgraph values (dates parsed, value
maps applied, documented fallbacks used and counted). :class:`Ledger` records
what happened to each source line: ``imported``, ``merged`` (folded into
another row's record) or ``rejected`` (with a reason), so the summary can show
that nothing was dropped silently.
"""
from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..errors import ConfigError
from ..schema import OPEN_END_YEAR
from .dates import DateParser, detect_format
from .mapping import Mapping, slug
from .names import display_name
from .source import SourceTable

__all__ = ["Fields", "Ledger", "RowError", "Person"]

_DATE_FIELDS = ("hire_date", "termination_date", "effective_date", "start_date", "end_date")
#: Date fields whose far-future values (year ``OPEN_END_YEAR`` or later, such as 9999-12-31) mean "no end".
_END_FIELDS = ("termination_date", "end_date")


class RowError(ValueError):
    """A row cannot be imported; ``rule`` names the rejection rule."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


@dataclass
class Person:
    """One employment spell of one person, before it becomes a :class:`~orgraph.model.Staff`."""

    staff_id: str
    name: str
    index_name: str
    hire: object
    term: object = None
    term_type: str | None = None
    term_reason: str | None = None
    discipline: str = "unknown"
    fte: float | None = None
    salary: float | None = None
    license: str | None = None
    line: int = 0
    base_id: str = ""
    external: bool = False


class Ledger:
    """What happened to each source line, plus everything the summary reports.

    Examples
    --------
    >>> lg = Ledger()
    >>> lg.imported(2); lg.merged(3, "duplicate-row", "same as line 2"); lg.rejected(4, "bad-date", "no", [])
    >>> lg.counts()
    {'imported': 1, 'merged': 1, 'rejected': 1}
    """

    def __init__(self):
        self.status: dict[int, tuple[str, str, str]] = {}
        self.rejected_rows: list[tuple[int, str, str, list]] = []
        self.unmapped: dict[str, Counter] = defaultdict(Counter)
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.managers: dict[str, list] = defaultdict(list)
        self.counters: Counter = Counter()

    def imported(self, line: int) -> None:
        self.status[line] = ("imported", "", "")

    def merged(self, line: int, rule: str, reason: str) -> None:
        self.status[line] = ("merged", rule, reason)

    def rejected(self, line: int, rule: str, reason: str, row: list) -> None:
        self.status[line] = ("rejected", rule, reason)
        self.rejected_rows.append((line, rule, reason, row))

    def counts(self) -> dict[str, int]:
        c = Counter(s for s, _, _ in self.status.values())
        return {k: c.get(k, 0) for k in ("imported", "merged", "rejected")}

    def by_rule(self, status: str) -> dict[str, int]:
        return dict(Counter(r for s, r, _ in self.status.values() if s == status).most_common())

    def manager_case(self, key: str, make, *, cap: int | None = 200) -> None:
        """Count one manager-resolution case; keep its details (``make()``) for the first ``cap`` only."""
        self.counters["managers:" + key] += 1
        items = self.managers[key]
        if cap is None or len(items) < cap:
            items.append(make())

    def n_managers(self, key: str) -> int:
        return self.counters.get("managers:" + key, 0)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def _closest_header(name: str, header: list[str]) -> str:
    near = difflib.get_close_matches(name, header, n=1, cutoff=0.5)
    if not near:
        folded = {h.casefold().replace(" ", "").replace("_", ""): h for h in header}
        key = name.casefold().replace(" ", "").replace("_", "")
        near = [folded[key]] if key in folded else []
    return f"; closest match: {near[0]!r}" if near else ""


def _number(text: str):
    t = text.strip().replace(",", "").replace("$", "").replace("\u00a3", "").replace("\u20ac", "")
    if not t:
        return None
    return float(t)


class Fields:
    """Field access for one export under one mapping.

    Checks that every mapped column exists (a ``ConfigError`` names the columns
    found and the closest match), sets up the date parsers (detecting the
    format when the mapping says ``"auto"``), and derives orgraph values with
    the mapping's value maps and fallbacks.
    """

    def __init__(self, table: SourceTable, mapping: Mapping, ledger: Ledger):
        self.table = table
        self.m = mapping
        self.ledger = ledger
        self.idx: dict[str, int] = {}
        for fld, col in mapping.columns.items():
            if col not in table.header:
                found = ", ".join(repr(h) for h in table.header[:40])
                raise ConfigError(
                    f"{mapping.source}: [columns] {fld} = {col!r}, but {_name(table)} has no such column"
                    f"{_closest_header(col, table.header)}. Columns found: {found}")
            self.idx[fld] = table.index(col)
        if "name" not in self.idx and "first_name" not in self.idx and "last_name" not in self.idx:
            ledger.notes.append("The mapping names no name column; staff ids are used as names.")
        self.dates: dict[str, DateParser] = {}
        auto = [f for f in _DATE_FIELDS if f in self.idx and mapping.date_format_for(f) == "auto"]
        if auto:
            values = [r[self.idx[f]] for f in auto for r in table.rows]
            cols = ", ".join(repr(mapping.columns[f]) for f in auto)
            parser = detect_format(values, where=f"the date column(s) {cols}")
            for f in auto:
                self.dates[f] = parser
        for f in _DATE_FIELDS:
            if f in self.idx and f not in self.dates:
                fmt = mapping.date_format_for(f)
                self.dates[f] = (DateParser(fmt) if isinstance(fmt, str)
                                 else DateParser(fmt[0], extra=tuple(fmt[1:])))
        self.programs: dict[str, dict] = {}
        self.m_title = mapping.map("title") if "title" in mapping.maps else None
        self.m_dept = mapping.map("department") if "department" in mapping.maps else None
        self.m_program = mapping.map("program")
        self.m_role = mapping.map("role_kind")
        self.m_disc = mapping.map("discipline")
        self.m_term = mapping.map("termination_type")
        self.m_sl = mapping.map("service_line")
        self.role_kinds: dict[str, str] = {}
        self.open_end_example = ""

    def has(self, fld: str) -> bool:
        return fld in self.idx

    def text(self, row: list, fld: str) -> str:
        i = self.idx.get(fld)
        if i is None:
            return ""
        v = row[i]
        if v.__class__ is str:
            return " ".join(v.split())
        return v.isoformat() if hasattr(v, "isoformat") else " ".join(str(v).split())

    def required(self, row: list, fld: str, *, date: bool = False):
        """The text (or with ``date``, the parsed date) of a field every row needs; raises :class:`RowError`
        ``missing-<field>`` ("no staff id in column 'EmpID'") when it is empty."""
        value = self.date(row, fld) if date else self.text(row, fld)
        if not value:
            raise RowError(f"missing-{fld.replace('_', '-')}",
                           f"no {fld.replace('_', ' ')} in column {self.m.columns[fld]!r}")
        return value

    def date(self, row: list, fld: str):
        """The parsed date of ``fld``; raises :class:`RowError` ``bad-date`` if unreadable.

        A termination date in year ``OPEN_END_YEAR`` or later (``9999-12-31``,
        ``12/31/9999``: the usual HR value for "no end") is ``None``, counted for
        the summary's note by :meth:`open_end`.
        """
        i = self.idx.get(fld)
        if i is None:
            return None
        try:
            d = self.dates[fld].parse(row[i])
        except ValueError as exc:
            raise RowError("bad-date", f"{fld} ({self.m.columns[fld]}): {exc}") from None
        if d is not None and fld in _END_FIELDS and d.year >= OPEN_END_YEAR:
            self.open_end(row[i])
            return None
        return d

    def open_end(self, value) -> None:
        """Count one far-future end date read as "no end", keeping the first as the note's example."""
        if not self.ledger.counters["open-end-date"]:
            self.open_end_example = (value.isoformat() if hasattr(value, "isoformat")
                                     else " ".join(str(value).split()))
        self.ledger.counters["open-end-date"] += 1

    def open_end_note(self) -> str | None:
        """The summary's note on far-future end dates read as "no end", or ``None`` when there were none."""
        n = self.ledger.counters["open-end-date"]
        if not n:
            return None
        return (f"{n} termination date(s) in year {OPEN_END_YEAR} or later (such as {self.open_end_example!r}), "
                "the usual HR value for 'no end', were read as no termination: those people are still employed.")

    def number(self, row: list, fld: str, line: int):
        v = self.text(row, fld)
        if not v:
            return None
        try:
            return _number(v)
        except ValueError:
            self.ledger.warn(f"line {line}: {fld} ({self.m.columns[fld]}) {v!r} is not a number; left empty")
            return None

    def name(self, row: list) -> tuple[str, str]:
        """(display name, name used for matching), ``("", "")`` if none."""
        if "name" in self.idx:
            raw = self.text(row, "name")
            return display_name(raw), raw
        first, last = self.text(row, "first_name"), self.text(row, "last_name")
        if not (first or last):
            return "", ""
        return " ".join(x for x in (first, last) if x), f"{last}, {first}" if last else first

    def title(self, row: list) -> str:
        raw = self.text(row, "title")
        if self.m_title is not None and raw:
            raw = self.m_title.get(raw) or raw
        return raw

    def department(self, row: list) -> str:
        raw = self.text(row, "department")
        if self.m_dept is not None and raw:
            raw = self.m_dept.get(raw) or raw
        return raw

    def program(self, row: list) -> str:
        """The program id of a row (registering the program), or ``""`` when the row has none."""
        dept = self.department(row)
        code = self.text(row, "program_id")
        if code:
            pid = code
        elif dept:
            pid = self.m_program.get(dept) or slug(dept)
        else:
            return ""
        self.register_program(pid, dept or pid)
        return pid

    def register_program(self, pid: str, name: str) -> None:
        p = self.programs.get(pid)
        if p is None:
            sl = self.m_sl.get(pid) or (self.m_sl.get(name) if name else None)
            if sl is None:
                sl = self.m.defaults["service_line"]
                self.ledger.unmapped["service_line"][name or pid] += 1
            self.programs[pid] = {"name": name, "service_line": sl, "spellings": {name}}
        else:
            p["spellings"].add(name)

    def default_program(self) -> str:
        pid = self.m.defaults["program"]
        self.register_program(pid, pid.replace("-", " ").replace("_", " ").title())
        return pid

    def role_kind(self, title: str) -> str:
        """The role kind of a seat with this title (each unmapped call is counted once)."""
        try:
            rk = self.role_kinds[title]
        except KeyError:
            rk = self.role_kinds[title] = self.m_role.get(title)
        if rk is None:
            self.ledger.unmapped["role_kind"][title] += 1
            return self.m.defaults["role_kind"]
        return rk

    def discipline(self, row: list, title: str) -> str:
        if "discipline" in self.idx:
            raw = self.text(row, "discipline")
            if not raw:
                return self.m.defaults["discipline"]
            return self.m_disc.get(raw) or raw
        d = self.m_disc.get(title) if title else None
        if d is None:
            if len(self.m_disc):
                self.ledger.unmapped["discipline"][title] += 1
            return self.m.defaults["discipline"]
        return d

    def termination(self, row: list, fallback: str = "") -> tuple[str, str | None]:
        """(termination_type, termination_reason) of a terminated person's row."""
        reason = self.text(row, "termination_reason") or None
        src = self.text(row, "termination_type") if "termination_type" in self.idx else (reason or "")
        src = src or fallback
        tt = self.m_term.get(src) if src else None
        if tt is None:
            tt = self.m.defaults["termination_type"]
            self.ledger.unmapped["termination_type"][src or "(blank)"] += 1
        return tt, reason

    def raw(self, row: list) -> list:
        return [v.isoformat() if hasattr(v, "isoformat") else v for v in row]


def _name(table: SourceTable) -> str:
    from pathlib import Path

    return Path(table.path).name or "the export"

