"""Typed records for an org bundle, after validation.

Dates in records are exactly as the bundle gives them: ``end`` and
``termination_date`` are the *last* day of the interval (inclusive), and
``None`` means "still ongoing". The temporal graph (:mod:`orgraph.graph`)
turns them into half-open intervals.

Large monthly tables (caseload, documentation, supervision sessions, client
assignments) are kept as pandas DataFrames, not as one object per row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import pandas as pd

__all__ = [
    "TERMINATION_TYPES",
    "ROLE_KINDS",
    "Staff",
    "Program",
    "Position",
    "Assignment",
    "Supervision",
    "OrgData",
    "TABLE_COLUMNS",
]

TERMINATION_TYPES = ("voluntary", "involuntary", "retirement", "other")
ROLE_KINDS = ("clinician", "supervisor", "director", "admin", "other")


@dataclass(frozen=True, slots=True)
class Staff:
    """A person who worked (or works) for the org."""

    staff_id: str
    name: str
    discipline: str
    hire_date: dt.date
    termination_date: dt.date | None = None
    termination_type: str | None = None
    termination_reason: str | None = None
    fte: float = 1.0
    annual_salary: float | None = None
    license: str | None = None
    external: bool = False

    @property
    def exited(self) -> bool:
        return self.termination_date is not None


@dataclass(frozen=True, slots=True)
class Program:
    program_id: str
    name: str
    service_line: str


@dataclass(frozen=True, slots=True)
class Position:
    """A seat: a budgeted position in a program."""

    position_id: str
    title: str
    program_id: str
    role_kind: str
    budgeted_caseload: float | None = None
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class Assignment:
    """Staff ``staff_id`` held seat ``position_id`` from ``start`` to ``end`` (inclusive)."""

    staff_id: str
    position_id: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Supervision:
    """Staff ``staff_id`` was supervised by ``supervisor_id`` from ``start`` to ``end`` (inclusive)."""

    staff_id: str
    supervisor_id: str
    start: dt.date
    end: dt.date | None = None


#: The dtype of text columns that are nearly unique per row (client ids): Arrow-backed strings, a few bytes a row.
COMPACT_TEXT = "string[pyarrow]"

#: Columns of the DataFrame tables held by :class:`OrgData`, with their dtypes.
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "caseload": {"staff_id": "object", "month": "datetime64[ns]", "active_clients": "int64"},
    "documentation": {
        "staff_id": "object",
        "month": "datetime64[ns]",
        "session_hours": "float64",
        "documentation_hours": "float64",
    },
    "supervision_sessions": {
        "supervisor_id": "object",
        "staff_id": "object",
        "date": "datetime64[ns]",
        "minutes": "float64",
    },
    "client_assignments": {
        "client_id": COMPACT_TEXT,
        "staff_id": "object",
        "start_date": "datetime64[ns]",
        "end_date": "datetime64[ns]",
    },
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of table ``name``.

    Examples
    --------
    >>> list(empty_table("caseload").columns)
    ['staff_id', 'month', 'active_clients']
    """
    cols = TABLE_COLUMNS[name]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


@dataclass
class OrgData:
    """A validated bundle: every record of every file, typed.

    ``present`` names the optional files the bundle had (for example
    ``{"caseload", "documentation"}``), so analyses can tell "no data" from
    "no rows". ``month`` columns hold the first day of the month.
    """

    staff: dict[str, Staff] = field(default_factory=dict)
    programs: dict[str, Program] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    supervision: list[Supervision] = field(default_factory=list)
    caseload: pd.DataFrame = field(default_factory=lambda: empty_table("caseload"))
    documentation: pd.DataFrame = field(default_factory=lambda: empty_table("documentation"))
    supervision_sessions: pd.DataFrame = field(default_factory=lambda: empty_table("supervision_sessions"))
    client_assignments: pd.DataFrame = field(default_factory=lambda: empty_table("client_assignments"))
    present: set[str] = field(default_factory=set)
    config: "object | None" = None
    source: str = ""
    #: Warnings found while loading (errors stop the load instead).
    issues: list = field(default_factory=list)

    def records_frame(self, name: str) -> pd.DataFrame:
        """The records of ``staff``, ``programs``, ``positions``, ``assignments`` or
        ``supervision`` as a DataFrame (one row per record, columns = fields).

        Examples
        --------
        >>> d = OrgData(programs={"OP": Program("OP", "Outpatient", "outpatient")})
        >>> d.records_frame("programs").to_dict("records")
        [{'program_id': 'OP', 'name': 'Outpatient', 'service_line': 'outpatient'}]
        """
        cls = {"staff": Staff, "programs": Program, "positions": Position,
               "assignments": Assignment, "supervision": Supervision}[name]
        recs = getattr(self, name)
        items = recs.values() if isinstance(recs, dict) else recs
        cols = [f.name for f in fields(cls)]
        return pd.DataFrame([[getattr(r, c) for c in cols] for r in items], columns=cols)
