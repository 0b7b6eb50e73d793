"""Turn analysis results into readable tables, JSON or CSV.

Analyses return a :class:`~orgraph.result.Result`; :func:`render` formats its
main table (or any list of records) as aligned text or CSV, or the whole result
as JSON. P-values keep three significant digits in tables, so 0.0503 is never
shown as 0.05; lists of words become ``a; b`` in CSV cells. A CSV cell that a
spreadsheet would read as a formula is written as text (a leading ``'``), and
table cells carry no control characters.

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

from ..plain import json_text, jsonable, spreadsheet_safe, terminal_safe
from ..result import Result

__all__ = ["render", "to_json", "to_records", "to_frame", "jsonable", "format_cell"]

#: Columns shown with three significant digits.
P_COLUMNS = ("p_value", "p_adjusted")


def to_json(result, *, indent: int = 2) -> str:
    """JSON text for a :class:`~orgraph.result.Result` or any plain data."""
    if isinstance(result, Result):
        result = result.to_dict()
    return json_text(jsonable(result), indent=indent)


def to_records(result, key: str | None = None) -> list[dict]:
    """A table as records: a result's main table (or its table ``key``), a DataFrame's rows, or a list as it is.

    Raises
    ------
    TypeError
        For anything else (a renderer never guesses which part of a dict is the table).
    """
    if isinstance(result, Result):
        return result.rows(key)
    if isinstance(result, pd.DataFrame):
        return result.to_dict("records")
    if isinstance(result, list):
        return result
    raise TypeError(f"cannot make a table of {type(result).__name__}")


def to_frame(result, key: str | None = None) -> pd.DataFrame:
    """A pandas DataFrame of a result's main table, or of its table ``key`` (for notebooks)."""
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


def _p_cell(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else format_cell(value)


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
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return spreadsheet_safe("; ".join("" if v is None else str(v) for v in value))
    if isinstance(value, (dict, list)):
        return spreadsheet_safe(json.dumps(value, ensure_ascii=False))
    return spreadsheet_safe(value)


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
    cells = [[terminal_safe(_p_cell(r.get(c)) if c in P_COLUMNS else format_cell(r.get(c))) for c in cols]
             for r in records]
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
