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
import operator
from dataclasses import dataclass, field, fields

import pandas as pd

from .errors import ReleasedError

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
    "RECORDS",
    "COMPACT_TEXT",
    "values",
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
    """A seat: a budgeted position in a program.

    ``inferred`` is true when the seat is not in the source data but was made by
    an import rule (``[seats] rule``) from people's program and title: which
    people shared such a seat, and so how long it stood empty between them, is
    not known.
    """

    position_id: str
    title: str
    program_id: str
    role_kind: str
    budgeted_caseload: float | None = None
    capacity: int = 1
    inferred: bool = False


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


#: The record tables of :class:`OrgData`: record type, columns of :meth:`OrgData.table`, and the key of a
#: mapping (``None`` for a list).
RECORDS: dict[str, tuple[type, str | None]] = {
    "staff": (Staff, "staff_id"),
    "programs": (Program, "program_id"),
    "positions": (Position, "position_id"),
    "assignments": (Assignment, None),
    "supervision": (Supervision, None),
}
#: Columns of the record tables holding dates (``datetime64[ns]`` in :meth:`OrgData.table`, ``NaT`` = none).
_DATE_FIELDS = {"hire_date", "termination_date", "start", "end"}
#: Number columns whose missing value is ``None`` in a record (``NaN`` in a table; a column with no value at all
#: is a column of ``None``, as a frame built from the records would have it).
_OPTIONAL_NUMBERS = {"annual_salary", "budgeted_caseload"}


def _table_from_records(name: str, recs) -> pd.DataFrame:
    cls, _ = RECORDS[name]
    items = list(recs.values() if isinstance(recs, dict) else recs)
    cols = [f.name for f in fields(cls)]
    df = pd.DataFrame([[getattr(r, c) for c in cols] for r in items], columns=cols)
    for c in cols:
        if c in _DATE_FIELDS:
            df[c] = pd.to_datetime(pd.Series(df[c], dtype=object)).astype("datetime64[ns]")
    return df


def values(col: pd.Series) -> list:
    """A column's values as Python objects, ``None`` for every missing one (pandas 3 text columns say NaN).

    Examples
    --------
    >>> values(pd.Series(["a", None], dtype="string"))
    ['a', None]
    """
    if col.dtype == object and not col.isna().any():
        return col.tolist()
    return col.astype(object).where(col.notna(), None).tolist()


def _records_from_table(name: str, df: pd.DataFrame):
    cls, key = RECORDS[name]
    cols = []
    for f in fields(cls):
        col = df[f.name]
        if f.name in _DATE_FIELDS:
            cols.append(col.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(object).tolist())
        elif f.name in _OPTIONAL_NUMBERS:
            cols.append([None if v != v else v for v in col.astype(object).tolist()])
        else:
            cols.append(values(col))
    recs = [cls(*row) for row in zip(*cols)]
    if key is None:
        return recs
    return {getattr(r, key): r for r in recs}


@dataclass(repr=False)
class OrgData:
    """A validated bundle: every record of every file, typed.

    The five record tables are offered two ways. :meth:`table` gives each as
    one DataFrame (dates as ``datetime64[ns]``, ``NaT`` for none): the way to
    read them in bulk. The attributes ``staff``, ``programs`` and
    ``positions`` (dicts by id) and ``assignments`` and ``supervision``
    (lists) give them as typed records, built on first use: a bundle read
    from a folder holds only the tables (``tables=``) until something asks for
    records. Assigning or changing records is allowed; :meth:`table` then
    follows the records.

    ``present`` names the optional files the bundle had (for example
    ``{"caseload", "documentation"}``), so analyses can tell "no data" from
    "no rows". ``month`` columns hold the first day of the month.

    Examples
    --------
    >>> d = OrgData(programs={"OP": Program("OP", "Outpatient", "outpatient")})
    >>> d.table("programs").to_dict("records")
    [{'program_id': 'OP', 'name': 'Outpatient', 'service_line': 'outpatient'}]
    >>> t = pd.DataFrame({"staff_id": ["S1"], "supervisor_id": ["S2"],
    ...                   "start": pd.to_datetime(["2024-01-01"]), "end": [pd.NaT]})
    >>> OrgData(tables={"supervision": t}).supervision
    [Supervision(staff_id='S1', supervisor_id='S2', start=datetime.date(2024, 1, 1), end=None)]
    """

    staff: dict = None  # type: ignore[assignment]
    programs: dict = None  # type: ignore[assignment]
    positions: dict = None  # type: ignore[assignment]
    assignments: list = None  # type: ignore[assignment]
    supervision: list = None  # type: ignore[assignment]
    caseload: pd.DataFrame = None  # type: ignore[assignment]
    documentation: pd.DataFrame = None  # type: ignore[assignment]
    supervision_sessions: pd.DataFrame = None  # type: ignore[assignment]
    client_assignments: pd.DataFrame = None  # type: ignore[assignment]
    present: set = None  # type: ignore[assignment]
    config: "object | None" = None
    source: str = ""
    #: Warnings found while loading (errors stop the load instead).
    issues: list = None  # type: ignore[assignment]
    #: The record tables as frames (see :meth:`table`); consumed when the object is made.
    tables: dict | None = field(default=None, compare=False)

    def __post_init__(self):
        self._tables = dict(self.tables or {})
        self.tables = None
        for name, (_, key) in RECORDS.items():
            if self._records.get(name) is None:
                del self._records[name]
                if name not in self._tables:
                    self._records[name] = {} if key else []
        for name in TABLE_COLUMNS:
            if getattr(self, name) is None:
                setattr(self, name, empty_table(name))
        if self.present is None:
            self.present = set()
        if self.issues is None:
            self.issues = []

    def _monthly_get(self, name: str) -> pd.DataFrame:
        table = self.__dict__.get(name)    # the property shadows the instance dict: the table is kept there
        if table is None and name in self.__dict__.get("_released", ()):
            raise ReleasedError(f"the {name} table was let go of to save memory and then read again; this is a bug "
                                "in orgraph: please report it with this message")
        return table

    def _monthly_set(self, name: str, value) -> None:
        self.__dict__[name] = value
        self.__dict__.get("_released", set()).discard(name)

    def release(self, name: str) -> None:
        """Let go of the monthly table ``name`` (``caseload``, ``documentation``, ``supervision_sessions`` or
        ``client_assignments``) to save memory: reading it afterwards raises
        :class:`~orgraph.errors.ReleasedError`; :attr:`present` still says whether the bundle had it.

        An audit releases a large table once no analysis still to run reads it
        (:func:`orgraph.registry.run_analyses`).

        Examples
        --------
        >>> d = OrgData()
        >>> d.release("client_assignments")
        >>> d.released
        {'client_assignments'}
        >>> d.client_assignments
        Traceback (most recent call last):
        ...
        orgraph.errors.ReleasedError: the client_assignments table was let go of to save memory and then read again; this is a bug in orgraph: please report it with this message
        """
        if name not in TABLE_COLUMNS:
            raise ValueError(f"{name!r} is not a monthly table; there are {', '.join(TABLE_COLUMNS)}")
        self.__dict__.pop(name, None)
        self.__dict__.setdefault("_released", set()).add(name)

    @property
    def released(self) -> set:
        """The monthly tables let go of with :meth:`release`."""
        return set(self.__dict__.get("_released", ()))

    def _get(self, name: str):
        recs = self._records.get(name)
        if recs is None:
            recs = self._records[name] = _records_from_table(name, self._tables.pop(name))
        return recs

    def _set(self, name: str, value) -> None:
        self.__dict__.setdefault("_records", {})[name] = value
        self.__dict__.get("_frames", {}).pop(name, None)
        if "_tables" in self.__dict__:
            self._tables.pop(name, None)

    def count(self, name: str) -> int:
        """How many records table ``name`` has, without building records.

        Examples
        --------
        >>> OrgData().count("staff")
        0
        """
        if name in self._tables:
            return len(self._tables[name])
        return len(self._get(name))

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` (``staff``, ``programs``, ``positions``, ``assignments`` or ``supervision``) as one
        DataFrame: one row per record, columns named as the record's fields, dates as ``datetime64[ns]``
        (``NaT`` for none), missing numbers ``NaN``. Treat it as read-only.
        """
        if name in self._tables:
            return self._tables[name]
        recs = self._get(name)
        items = list(recs.values() if isinstance(recs, dict) else recs)
        frames = self.__dict__.setdefault("_frames", {})
        kept = frames.get(name)
        if kept is not None and len(kept[1]) == len(items) and all(map(operator.is_, kept[1], items)):
            return kept[0]             # the same (frozen) records as when the frame was built
        frame = _table_from_records(name, items)
        frames[name] = (frame, items)
        return frame

    def records_frame(self, name: str) -> pd.DataFrame:
        """The records of ``staff``, ``programs``, ``positions``, ``assignments`` or
        ``supervision`` as a DataFrame (one row per record, columns = fields, dates as
        ``datetime.date`` or ``None``).

        Examples
        --------
        >>> d = OrgData(programs={"OP": Program("OP", "Outpatient", "outpatient")})
        >>> d.records_frame("programs").to_dict("records")
        [{'program_id': 'OP', 'name': 'Outpatient', 'service_line': 'outpatient'}]
        """
        cls = RECORDS[name][0]
        recs = self._get(name)
        items = recs.values() if isinstance(recs, dict) else recs
        cols = [f.name for f in fields(cls)]
        return pd.DataFrame([[getattr(r, c) for c in cols] for r in items], columns=cols)

    def __repr__(self) -> str:
        return (f"<OrgData {self.source or 'in-memory'}: {self.count('staff')} staff, "
                f"{self.count('positions')} seats, {self.count('programs')} programs>")


for _name, _doc in (("staff", "Staff records by ``staff_id``."), ("programs", "Program records by ``program_id``."),
                    ("positions", "Position (seat) records by ``position_id``."),
                    ("assignments", "Assignment records, in file order."),
                    ("supervision", "Supervision records, in file order.")):
    setattr(OrgData, _name, property(lambda self, n=_name: self._get(n), lambda self, v, n=_name: self._set(n, v),
                                     doc=_doc))
for _name in TABLE_COLUMNS:
    setattr(OrgData, _name, property(lambda self, n=_name: self._monthly_get(n),
                                     lambda self, v, n=_name: self._monthly_set(n, v),
                                     doc=f"The ``{_name}`` table, one row per record (columns: :data:`TABLE_COLUMNS`)."))
del _name, _doc
