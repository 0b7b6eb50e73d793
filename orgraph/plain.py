"""Plain data: turn numpy, pandas and date values into what JSON can hold.

Used by analyses (which return plain data) and by every renderer.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from itertools import chain

__all__ = ["plural", "jsonable", "json_text", "spreadsheet_safe", "terminal_safe", "redact"]


#: Values :func:`jsonable` gives back as they are.
_AS_IS = frozenset({str, int, bool, type(None)})
_isfinite = math.isfinite


def jsonable(value):
    """Make a value JSON-serializable: dates to ISO strings, numpy scalars to Python, NaN to None.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> jsonable({"d": dt.date(2024, 1, 2), "x": np.int64(3), "y": float("nan"), "z": pd.NaT})
    {'d': '2024-01-02', 'x': 3, 'y': None, 'z': None}
    """
    t = type(value)
    if t in _AS_IS:                        # the common plain values first, without the checks below
        return value
    if t is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if t is dict:                          # a finite float is kept here too, without a call per value
        return {(k if type(k) is str else str(k)):
                (v if type(v) in _AS_IS else (v if _isfinite(v) else None) if type(v) is float else jsonable(v))
                for k, v in value.items()}
    if t is list:
        return [v if type(v) in _AS_IS else (v if _isfinite(v) else None) if type(v) is float else jsonable(v)
                for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    # a pandas or numpy value exists only once its library is imported: looked up, not imported, so that
    # importing this module (as orgraph.errors and the command line do) does not import pandas
    pd = sys.modules.get("pandas")
    np = sys.modules.get("numpy")
    if pd is not None:
        if isinstance(value, pd.DataFrame):
            return [jsonable(r) for r in value.to_dict("records")]
        if value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return None if pd.isna(value) else value.date().isoformat()
    if np is not None and isinstance(value, np.datetime64) and np.isnat(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if np is not None and isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


#: Values the C JSON encoder writes exactly as the pure-Python (indenting) one does.
_FLAT = frozenset({str, int, float, bool, type(None)})
_encode_str = json.encoder.encode_basestring
_INFINITY = float("inf")
#: A list of at least this many flat records goes through the C encoder in one call.
_RECORDS_AT_ONCE = 16


def _scalar(o) -> str:
    """One plain value as the json module writes it."""
    t = type(o)
    if t is str:
        return _encode_str(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        if o != o:
            return "NaN"
        if o == _INFINITY:
            return "Infinity"
        if o == -_INFINITY:
            return "-Infinity"
        return float.__repr__(o)
    return json.dumps(o, ensure_ascii=False)


def _key_text(k) -> str:
    if isinstance(k, str):
        return _encode_str(k)
    return json.dumps({k: 0}, ensure_ascii=False)[1:-4]   # the json module's own rule for a non-text key


def _flat_record(d) -> bool:
    return type(d) is dict and bool(d) and all(type(v) in _FLAT for v in d.values())


def _flat_records(rows) -> bool:
    """Whether every item of ``rows`` is a non-empty dict of plain values (:func:`_flat_record` of each), the
    values' types gathered in one pass.

    Examples
    --------
    >>> _flat_records([{"a": 1, "b": "x"}, {"a": None}]), _flat_records([{"a": [1]}]), _flat_records([{}])
    (True, False, False)
    """
    if not all(type(d) is dict and d for d in rows):
        return False
    return set(map(type, chain.from_iterable(map(dict.values, rows)))) <= _FLAT


def _json_into(o, level: int, indent: int, out: list) -> None:
    pad = " " * (indent * level)
    inner = "\n" + pad + " " * indent
    if isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        sep = "{" + inner
        for k, v in o.items():
            if type(v) in _FLAT:
                out.append(sep + _key_text(k) + ": " + _scalar(v))
            else:
                out.append(sep + _key_text(k) + ": ")
                _json_into(v, level + 1, indent, out)
            sep = "," + inner
        out.append("\n" + pad + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
        elif len(o) >= _RECORDS_AT_ONCE and _flat_records(o):
            # many flat records: one C-encoder call; a newline is only ever a separator (the encoder escapes
            # it in text), so "},<newline>{" marks exactly the boundaries between records
            deeper = inner + " " * indent
            s = json.dumps(o, ensure_ascii=False, separators=("," + deeper, ": "))
            s = s[2:-2].replace("}," + deeper + "{", deeper[:-indent] + "}," + inner + "{" + deeper)
            out.append("[" + inner + "{" + deeper + s + inner + "}\n" + pad + "]")
        else:
            sep = "[" + inner
            for v in o:
                if type(v) in _FLAT:
                    out.append(sep + _scalar(v))
                else:
                    out.append(sep)
                    _json_into(v, level + 1, indent, out)
                sep = "," + inner
            out.append("\n" + pad + "]")
    else:
        out.append(_scalar(o))


def json_text(value, *, indent: int = 2) -> str:
    """``json.dumps(value, indent=indent, ensure_ascii=False)``, the same text, written faster.

    The standard library indents with its pure-Python encoder, one generator per
    container; here containers are written by one plain recursion, and a long
    list of flat records (a graph's nodes and links, a table) goes through the
    C encoder in one call, with the indentation as its separators.

    Examples
    --------
    >>> doc = {"a": [1, 2.5, None], "b": [{"x": "é", "y": True}] * 20, "c": {}, "d": [[]], 3: float("nan")}
    >>> json_text(doc, indent=1) == json.dumps(doc, indent=1, ensure_ascii=False)
    True
    """
    out: list[str] = []
    _json_into(value, 0, indent, out)
    return "".join(out)


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
