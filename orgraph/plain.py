"""Plain data: turn numpy, pandas and date values into what JSON can hold.

Used by analyses (which return plain data) and by every renderer.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

__all__ = ["plural", "jsonable", "spreadsheet_safe", "terminal_safe", "redact"]


def jsonable(value):
    """Make a value JSON-serializable: dates to ISO strings, numpy scalars to Python, NaN to None.

    Examples
    --------
    >>> jsonable({"d": dt.date(2024, 1, 2), "x": np.int64(3), "y": float("nan"), "z": pd.NaT})
    {'d': '2024-01-02', 'x': 3, 'y': None, 'z': None}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict("records")]
    if value is pd.NaT or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


#: First characters a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet shows as text: a string starting like a formula gets a leading ``'``.

    Used for every CSV written for people to open (pack tables, ``--format csv``,
    ``rejected.csv``). Bundle files written by ``orgraph import`` are data for
    orgraph and keep their values exactly, so they round-trip.

    Examples
    --------
    >>> spreadsheet_safe("=1+2"), spreadsheet_safe("-12"), spreadsheet_safe("Ana"), spreadsheet_safe(-12)
    ("'=1+2", "'-12", 'Ana', -12)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    """``text`` without control characters (escape sequences in a name must not reach the terminal).

    Examples
    --------
    >>> terminal_safe("Ana\x1b[31m red\x07")
    'Ana[31m red'
    """
    return "".join(ch for ch in text
                   if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127 and not 0x80 <= ord(ch) < 0xA0))


_CREDENTIALS = re.compile(r"(?<=/)[^/\s@]+:[^/\s@]*@")


def redact(text: str) -> str:
    """``text`` with any ``user:password@`` part of an address removed, fit to print.

    Examples
    --------
    >>> redact("bolt://neo4j:hunter2@localhost:7687"), redact("http:/user:pw@host/x does not exist")
    ('bolt://localhost:7687', 'http:/host/x does not exist')
    """
    return _CREDENTIALS.sub("", str(text))


def plural(n: float, word: str, many: str | None = None) -> str:
    """``n`` and the word in the number that agrees with it, thousands separated.

    Examples
    --------
    >>> plural(0, "program"), plural(1, "program"), plural(1200, "exit"), plural(2, "person", "people")
    ('0 programs', '1 program', '1,200 exits', '2 people')
    """
    count = f"{n:,}" if isinstance(n, int) or float(n).is_integer() else f"{n:,.1f}"
    if isinstance(n, float) and float(n).is_integer():
        count = f"{int(n):,}"
    return f"{count} {word if n == 1 else (many or word + 's')}"
