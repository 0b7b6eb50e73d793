"""The Cypher query files, loaded by name.

Queries live one per file in the top-level ``cypher/`` folder of the source
tree, which the wheel ships as ``orgraph/cypher``. Code asks for a query by
name (``query("load_staff")``) and never holds query text of its own; values
always travel as ``$parameters``.

A query a user can run (``orgraph db query``) declares each of its parameters
in a header comment, one line each: name, type (``int``, ``float`` or
``date``), the allowed range and what it means::

    //   $window_days    int   1..3650                 days after a supervisor's exit that count

:func:`parameters` reads those lines and :func:`check_values` turns the values
a user gave (text from the command line, or Python values) into the declared
types, refusing anything else with a message naming the parameter.

Examples
--------
>>> "UNWIND $rows AS row" in query("load_staff")
True
>>> statements("schema")[-1].startswith("CREATE INDEX")
True
>>> query("no_such_query")
Traceback (most recent call last):
...
orgraph.errors.SourceError: no Cypher query named 'no_such_query'; known: beat_lock, begin_load, ...
>>> check_values("overloaded_supervisors", {"as_of": "2024-06-30", "max_span": "8"})
{'as_of': datetime.date(2024, 6, 30), 'max_span': 8}
>>> check_values("overloaded_supervisors", {"as_of": "2025-13-01"})
Traceback (most recent call last):
...
orgraph.errors.SourceError: overloaded_supervisors: as_of must be a date like 2024-06-30 from 1900-01-01 to 9000-12-31, not '2025-13-01'
"""
from __future__ import annotations

import datetime as dt
import importlib.resources
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import SourceError

__all__ = ["query", "statements", "names", "cypher_dir", "Parameter", "parameters", "check_values"]

_SUFFIX = ".cypher"


@cache
def cypher_dir():
    """Where the ``.cypher`` files are: ``orgraph/cypher`` when installed, else the repo's ``cypher/``."""
    packaged = importlib.resources.files("orgraph").joinpath("cypher")
    if packaged.is_dir():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "cypher"
    if source_tree.is_dir():
        return source_tree
    raise SourceError("the Cypher query files are missing from this orgraph installation (orgraph/cypher)")


@cache
def names() -> tuple[str, ...]:
    """Names of all query files, sorted (without the ``.cypher`` suffix)."""
    return tuple(sorted(p.name[: -len(_SUFFIX)] for p in cypher_dir().iterdir() if p.name.endswith(_SUFFIX)))


@cache
def query(name: str) -> str:
    """The text of ``cypher/<name>.cypher``."""
    if name not in names():
        known = names()
        listed = ", ".join(known[:2]) + (", ..." if len(known) > 2 else "")
        raise SourceError(f"no Cypher query named {name!r}; known: {listed}")
    return cypher_dir().joinpath(name + _SUFFIX).read_text(encoding="utf-8")


@cache
def statements(name: str) -> tuple[str, ...]:
    """The statements of a multi-statement file (split on ``;`` at line ends), comments dropped."""
    body = "\n".join(line for line in query(name).splitlines() if not line.lstrip().startswith("//"))
    return tuple(s.strip() for s in re.split(r";[ \t]*(?:\n|$)", body) if s.strip())


# ------------------------------------------------------- declared parameters
@dataclass(frozen=True)
class Parameter:
    """One declared query parameter: ``$name type low..high meaning``."""

    name: str
    type: str
    low: object
    high: object
    help: str

    def describe(self) -> str:
        """The values it takes, in words.

        >>> parameters("overloaded_supervisors")["max_span"].describe()
        'a whole number from 0 to 100000'
        """
        kind = {"int": "a whole number", "float": "a number", "date": "a date like 2024-06-30"}[self.type]
        return f"{kind} from {self.low} to {self.high}"

    def check(self, value, *, query_name: str = ""):
        """``value`` (text or a Python value) as the declared type, within the range.

        Raises
        ------
        SourceError
            The value is not of the type or outside the range; the message names
            the parameter and says what it takes.

        Examples
        --------
        >>> p = parameters("cascade_risk")["window_days"]
        >>> p.check("90"), p.check(90)
        (90, 90)
        >>> p.check("-1e20")
        Traceback (most recent call last):
        ...
        orgraph.errors.SourceError: window_days must be a whole number from 1 to 3650, not '-1e20'
        """
        out = _convert(self.type, value)
        if out is None or not self.low <= out <= self.high:
            where = f"{query_name}: " if query_name else ""
            raise SourceError(f"{where}{self.name} must be {self.describe()}, not {_shown(value)}")
        return out


_TYPES = ("int", "float", "date")
_DECLARATION = re.compile(r"^//\s+\$(\w+)\s+(\w+)\s+(\S+)\.\.(\S+)\s*(.*)$")
_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _convert(kind: str, value):
    """``value`` as ``kind``, or None when it is not one (text is parsed strictly; NaN and infinities are not numbers)."""
    if isinstance(value, bool):
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                return None
        return None
    if isinstance(value, str):
        text = value.strip()
        if kind == "int":
            return int(text) if _INT.fullmatch(text) else None
        return float(text) if _FLOAT.fullmatch(text) else None
    if kind == "int":
        return value if isinstance(value, int) else None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


@cache
def parameters(name: str) -> dict[str, Parameter]:
    """The parameters ``cypher/<name>.cypher`` declares in its header, by name, in order.

    Raises
    ------
    SourceError
        A declaration names an unknown type or a range that is not of its type.

    Examples
    --------
    >>> list(parameters("cascade_risk"))
    ['as_of', 'window_days', 'lookback_days']
    >>> parameters("load_staff")
    {}
    """
    out: dict[str, Parameter] = {}
    for line in query(name).splitlines():
        match = _DECLARATION.match(line.strip())
        if not match:
            continue
        pname, kind, low, high, help_ = match.groups()
        if kind not in _TYPES:
            raise SourceError(f"cypher/{name}.cypher: parameter ${pname} has type {kind!r}; "
                              f"expected one of {', '.join(_TYPES)}")
        lo, hi = _convert(kind, low), _convert(kind, high)
        if lo is None or hi is None or lo > hi:
            raise SourceError(f"cypher/{name}.cypher: parameter ${pname} has the range {low}..{high}, "
                              f"which is not a {kind} range")
        out[pname] = Parameter(pname, kind, lo, hi, help_.strip())
    return out


def check_values(name: str, values: dict) -> dict:
    """The values for query ``name``, each checked and converted by its declaration.

    Raises
    ------
    SourceError
        A name the query does not declare, or a value it does not take.
    """
    declared = parameters(name)
    out = {}
    for key, value in values.items():
        if key not in declared:
            raise SourceError(f"query {name} has no parameter {key!r}; it takes: {', '.join(declared)}")
        out[key] = declared[key].check(value, query_name=name)
    return out
