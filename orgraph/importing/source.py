"""Read an HRIS export (CSV or Excel) into rows of text with their line numbers.

The reader keeps every cell as text (so a ZIP code keeps its leading zero and
an id never becomes ``10026.0``), strips a UTF-8 byte-order mark, accepts
Windows line endings, and remembers the line each row started on so that
rejected rows can be found in the original file. Excel date cells become
:class:`datetime.date` objects; the date parser accepts them as they are.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError

__all__ = ["SourceTable", "read_source", "EXCEL_SUFFIXES"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class SourceTable:
    """The rows of one export.

    ``rows[i]`` is a list of cells (``str``, or ``datetime.date`` for Excel date
    cells) aligned with ``header``; ``lines[i]`` is its line number as a text
    editor (or spreadsheet) shows it, the header being line 1. ``bad`` lists
    rows that could not be split into the header's columns, as
    ``(line, reason, raw cells)``.

    Examples
    --------
    >>> t = SourceTable(["id", "name"], [["1", "Ann"]], [2])
    >>> t.column("name")
    ['Ann']
    """

    header: list[str]
    rows: list[list]
    lines: list[int]
    bad: list[tuple[int, str, list]] = field(default_factory=list)
    path: str = ""

    def index(self, column: str) -> int:
        return self.header.index(column)

    def column(self, column: str) -> list:
        i = self.index(column)
        return [r[i] for r in self.rows]

    @property
    def n_source_rows(self) -> int:
        """Every data row of the file: readable, blank or malformed."""
        return len(self.rows) + len(self.bad)


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{path}: line {line}: byte 0x{raw[exc.start]:02x} is not valid {encoding}; save the export as UTF-8 "
            f"or set encoding = \"cp1252\" (or the file's encoding) under [read] in the mapping") from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} under [read] in the mapping") from None


def _read_csv(path: Path, *, delimiter: str, encoding: str) -> SourceTable:
    text = _decode(path.read_bytes(), path, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = None
    rows, lines, bad = [], [], []
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                if not row or all(not c.strip() for c in row):
                    continue
                header = [c.strip() for c in row]
                continue
            if not row or all(not c.strip() for c in row):
                if row:  # a row of empty fields (",,,,") is a source row; a truly empty line is not
                    bad.append((line, "blank row", row))
                continue
            if len(row) != len(header):
                # Excel often pads or trims trailing empty fields; accept that, nothing else
                if len(row) > len(header) and not any(c.strip() for c in row[len(header):]):
                    row = row[: len(header)]
                elif len(row) < len(header):
                    row = row + [""] * (len(header) - len(row))
                else:
                    bad.append((line, f"row has {len(row)} fields but the header has {len(header)}; "
                                      "check for an unquoted comma", row))
                    continue
            rows.append(row)
            lines.append(line)
    except csv.Error as exc:
        raise SourceError(f"{path}: line {reader.line_num}: cannot read the CSV here: {exc}") from None
    if header is None:
        raise SourceError(f"{path}: the file is empty; expected a header row and one row per record")
    _check_header(header, path)
    return SourceTable(header, rows, lines, bad, str(path))


def _check_header(header: list[str], path: Path) -> None:
    seen = set()
    for name in header:
        if name and name in seen:
            raise SourceError(f"{path}: the header names column {name!r} twice; rename one of them")
        seen.add(name)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    return str(value)


def _read_excel(path: Path, *, sheet) -> SourceTable:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise SourceError(
            f"{path.name}: reading Excel files needs the openpyxl package, which is not installed. "
            "Run `pip install openpyxl`, or save the sheet as CSV (UTF-8) and import that") from None
    import pandas as pd

    try:
        df = pd.read_excel(path, sheet_name=sheet if sheet not in ("", None) else 0, dtype=object, header=None)
    except ValueError as exc:
        raise SourceError(f"{path.name}: cannot read sheet {sheet!r}: {exc}") from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise SourceError(f"{path.name}: cannot read the workbook: {exc}") from None
    values = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    header = None
    rows, lines, bad = [], [], []
    for i, row in enumerate(values, start=1):
        empty = all(isinstance(c, str) and not c.strip() for c in row)
        if header is None:
            if not empty:
                header = [str(c).strip() for c in row]
            continue
        if empty:
            continue
        rows.append(row)
        lines.append(i)
    if header is None:
        raise SourceError(f"{path.name}: the sheet is empty; expected a header row and one row per record")
    _check_header(header, path)
    return SourceTable(header, rows, lines, bad, str(path))


def read_source(path, *, delimiter: str = ",", encoding: str = "utf-8-sig", sheet=None) -> SourceTable:
    """Read a CSV or Excel export.

    Parameters
    ----------
    path : str or Path
        ``.csv`` / ``.txt`` / ``.tsv`` (read as text) or ``.xlsx`` / ``.xlsm`` / ``.xls``
        (read with pandas, which needs the optional ``openpyxl`` package).
    delimiter, encoding : str
        CSV settings (``[read]`` in the mapping). ``.tsv`` files default to tabs.
    sheet : str or int, optional
        Excel sheet name or index (default: the first sheet).

    Raises
    ------
    SourceError
        The file is missing, empty, not decodable, or Excel support is not installed.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> _ = open(p, "wb").write(b'\\xef\\xbb\\xbfid,name\\r\\n7,"Ng, Ann"\\r\\n')
    >>> t = read_source(p)
    >>> t.header, t.rows, t.lines
    (['id', 'name'], [['7', 'Ng, Ann']], [2])
    """
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"{p}: no such file")
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(p, sheet=sheet)
    if p.suffix.lower() == ".tsv" and delimiter == ",":
        delimiter = "\t"
    return _read_csv(p, delimiter=delimiter, encoding=encoding)
