"""Turn analysis results into readable tables, JSON or CSV.

Analyses return plain data: a list of records (dicts), or a dict holding such
lists. :func:`to_records` finds the main table; :func:`render` formats it.

Examples
--------
>>> print(render([{"staff_id": "S1", "exits": 2}, {"staff_id": "S22", "exits": 0}], "table"))
staff_id  exits
--------  -----
S1            2
S22           0
>>> print(render([{"a": 1.23456, "b": None}], "csv").strip())
a,b
1.23456,
"""
from __future__ import annotations

import csv
import io
import json

import pandas as pd

from ..plain import jsonable

__all__ = ["render", "to_json", "to_records", "to_frame", "jsonable", "format_cell"]


def to_json(result, *, indent: int = 2) -> str:
    """JSON text for any analysis result."""
    return json.dumps(jsonable(result), indent=indent, ensure_ascii=False)


def to_records(result, key: str | None = None) -> list[dict]:
    """The main table of a result: the list itself, ``result[key]``, or the first list of dicts in it."""
    if isinstance(result, pd.DataFrame):
        return result.to_dict("records")
    if isinstance(result, list):
        return result
    if isinstance(result, dict):
        if key is not None:
            return list(result.get(key) or [])
        for v in result.values():
            if isinstance(v, list) and (not v or isinstance(v[0], dict)):
                return v
        return [result]
    raise TypeError(f"cannot make a table of {type(result).__name__}")


def to_frame(result, key: str | None = None) -> pd.DataFrame:
    """A pandas DataFrame of a result's main table (for notebooks)."""
    return pd.DataFrame([jsonable(r) for r in to_records(result, key)])


def format_cell(value) -> str:
    """Text for one table cell.

    Examples
    --------
    >>> format_cell(0.000123), format_cell(1234.5), format_cell(True), format_cell(["a", "b"])
    ('0.000123', '1,234.50', 'yes', 'a, b')
    """
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != 0 and abs(value) < 0.01:
            return f"{value:.3g}"
        return f"{value:,.2f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ", ".join(format_cell(v) if not isinstance(v, dict) else json.dumps(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _columns(records: list[dict], columns: list[str] | None) -> list[str]:
    if columns:
        return list(columns)
    seen: dict[str, None] = {}
    for r in records:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def _csv_cell(value):
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def render(result, fmt: str = "table", *, columns: list[str] | None = None, key: str | None = None,
           max_width: int = 60) -> str:
    """Format a result as ``table`` (aligned text), ``json`` (the whole result) or ``csv`` (main table)."""
    if fmt == "json":
        return to_json(result)
    records = to_records(result, key)
    cols = _columns(records, columns)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in records:
            w.writerow([_csv_cell(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; expected table, json or csv")
    if not records:
        return "(no rows)"
    cells = [[format_cell(r.get(c)) for c in cols] for r in records]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    numeric = [all(isinstance(jsonable(r.get(c)), (int, float)) and not isinstance(jsonable(r.get(c)), bool)
                   or r.get(c) is None for r in records) for c in cols]

    def line(values):
        out = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(out).rstrip()

    rows = [line(cols), "  ".join("-" * w for w in widths)]
    rows += [line(row) for row in cells]
    return "\n".join(rows)
