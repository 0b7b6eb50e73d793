"""Read an org bundle folder: every file, every row, every cell checked.

:func:`read_bundle` returns the typed tables and a list of
:class:`~orgraph.errors.Issue`. It never raises for bad content: a missing
file, a missing column, an undecodable byte or a malformed row all become
issues naming the file, line and column. Semantic rules (references,
intervals, capacity, cycles) are in :mod:`orgraph.validate`.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .columnar import DATE_RE as _DATE_RE, FALSE_WORDS as _FALSE, LINE, MONTH_RE as _MONTH_RE, TRUE_WORDS as _TRUE
from .columnar import fast_csv, fast_parquet, read_ahead, string_table
from .errors import Issue
from .schema import FILES, MAX_YEAR, MIN_YEAR, OPEN_END_YEAR, FileSpec
from .plain import plural

__all__ = ["IssueLog", "read_table", "read_tables", "bundle_files", "LINE", "OPEN_END"]

#: Prefix of the column marking the rows whose ``<column>`` held a "no end" placeholder read as empty.
OPEN_END = "_open_end:"
#: Characters that are not text (C0 controls other than tab and line breaks, U+FFFE, U+FFFF): a value holding
#: one is a damaged export, and no XML, HTML or graph file could carry it.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: What is trimmed around names and values: spaces, tabs and the other Unicode space separators (the no-break
#: space and its kind, which spreadsheets leave behind). Control characters are never trimmed: a value that
#: holds one is reported, wherever it stands.
SPACES = " \t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_WIDE_SPACE = re.compile(f"[{SPACES[2:]}]")
_EDGE_SPACE = re.compile(f"(?:^|[,\"\r\n])[{SPACES}]|[{SPACES}](?:$|[,\"\r\n])")


class IssueLog:
    """Collects issues. Past ``cap`` issues of one rule in one file, the rest are counted
    in a single summary issue, so nothing is silent and nothing floods the screen."""

    def __init__(self, cap: int = 200):
        self.cap = cap
        self.issues: list[Issue] = []
        self._counts: dict[tuple[str, str, str], int] = {}
        self._overflow: dict[tuple[str, str, str], list[int]] = {}

    def add(self, severity: str, file: str, line, column, message: str, rule: str) -> None:
        k = (file, rule, severity)
        n = self._counts.get(k, 0) + 1
        self._counts[k] = n
        if n <= self.cap:
            self.issues.append(Issue(severity, file, None if line is None else int(line), column, message, rule))
        else:
            self._overflow.setdefault(k, []).append(None if line is None else int(line))

    def add_rows(self, severity: str, file: str, lines, column, messages, rule: str) -> None:
        """Add one issue per row; ``messages`` is a string or one string per row."""
        if isinstance(messages, str):
            messages = [messages] * len(lines)
        for line, msg in zip(lines, messages):
            self.add(severity, file, line, column, msg, rule)

    def finish(self) -> list[Issue]:
        out = list(self.issues)
        for (file, rule, severity), lines in self._overflow.items():
            shown = ", ".join(str(x) for x in lines[:10])
            more = " ..." if len(lines) > 10 else ""
            out.append(Issue(severity, file, None, None,
                             f"{plural(len(lines), 'more row')} with the same problem ({rule}) on lines {shown}{more}", rule))
        return out


def _closest(name: str, found: list[str]) -> str:
    near = difflib.get_close_matches(name, found, n=1, cutoff=0.5)
    return f"; closest match: {near[0]!r}" if near else ""


#: The largest bundle file read (1 GiB): larger ones are refused with a message, not a memory error.
MAX_FILE_BYTES = 1 << 30


def _file_ok(path: Path, log: IssueLog) -> Path | None:
    """``path`` if it is a regular file orgraph will read, else ``None`` (reported)."""
    try:
        info = path.stat()
    except OSError as exc:
        log.add("error", path.name, None, None, f"cannot be read: {exc.strerror}", "unreadable-file")
        return None
    if not stat.S_ISREG(info.st_mode):
        log.add("error", path.name, None, None, "is not a regular file (a folder, pipe or device); expected a CSV file",
                "unreadable-file")
        return None
    if info.st_size > MAX_FILE_BYTES:
        log.add("error", path.name, None, None, f"is {info.st_size / 2**30:.1f} GiB; files over "
                f"{MAX_FILE_BYTES / 2**30:.0f} GiB are not read (split the export, or use Neo4j)", "unreadable-file")
        return None
    return path


def _read_bytes(path: Path, log: IssueLog) -> bytes | None:
    """The file's bytes, or ``None`` (reported) when it cannot be read or holds NUL bytes."""
    if _file_ok(path, log) is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.add("error", path.name, None, None, f"cannot be read: {exc.strerror}", "unreadable-file")
        return None
    if b"\x00" in raw:
        lines = sorted({raw[:i].count(b"\n") + 1 for i in _nul_offsets(raw)})
        shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
        log.add("error", path.name, lines[0], None, f"contains NUL bytes (a damaged or binary file) on line(s) "
                f"{shown}; a NUL would cut a value short", "nul-byte")
        return None
    return raw


def _decode(raw: bytes, name: str, log: IssueLog) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        log.add("error", name, line, None,
                f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel)",
                "encoding")
        return None


def _nul_offsets(raw: bytes, limit: int = 1000):
    i = raw.find(b"\x00")
    while i >= 0 and limit:
        yield i
        limit -= 1
        i = raw.find(b"\x00", i + 1)


def _frame_from_text(text: str, name: str, log: IssueLog) -> pd.DataFrame | None:
    """Parse CSV text into a frame of stripped strings plus a line-number column.

    The fast C parser handles well-formed files; a file with malformed rows is
    re-read row by row so that each malformed row is reported with its line.
    """
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                         skipinitialspace=False, skip_blank_lines=True)
        if df.columns.duplicated().any():
            raise ValueError("duplicate columns")
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if n_lines - 1 == len(df):
            df[LINE] = np.arange(2, len(df) + 2, dtype=np.int64)
            return _strip(df, text)
        # blank lines skipped (or a quoted field spanning lines): number the rows the slow, exact way
    except (pd.errors.ParserError, ValueError):
        pass
    return _frame_slow(text, name, log)


def _frame_slow(text: str, name: str, log: IssueLog) -> pd.DataFrame | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = None
    rows, lines = [], []
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            if header is None:
                header = [c.strip(SPACES) for c in row]
                dups = sorted({c for c in header if header.count(c) > 1})
                if dups:
                    log.add("error", name, reader.line_num, None,
                            f"the header names column(s) {', '.join(map(repr, dups))} more than once", "header")
                    return None
                continue
            if len(row) != len(header):
                log.add("error", name, reader.line_num, None,
                        f"row has {len(row)} field(s) but the header has {len(header)}; check for an unquoted comma",
                        "malformed-row")
                continue
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        log.add("error", name, reader.line_num, None, f"cannot read the CSV here: {exc}", "malformed-row")
    if header is None:
        return None
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    df[LINE] = np.array(lines, dtype=np.int64)
    return _strip(df)


_PADDING = (" ,", ", ", " \n", " \r", "\n ", "\r ", '" ', ' "', "\t")


def _padded(text: str) -> bool:
    """Whether some name or value of the CSV ``text`` starts or ends with one of :data:`SPACES`.

    Examples
    --------
    >>> _padded("a,b\\n1,2"), _padded("a,b\\n1 ,2"), _padded("a,b\\n1,\\xa02"), _padded("a,b\\n1\\xa0x,2")
    (False, True, True, False)
    """
    if text[:1] == " " or text[-1:] == " " or any(p in text for p in _PADDING):
        return True
    return not text.isascii() and _WIDE_SPACE.search(text) is not None and _EDGE_SPACE.search(text) is not None


def _strip(df: pd.DataFrame, text: str | None = None) -> pd.DataFrame:
    """Trim :data:`SPACES` around names and values (skipped when the text has none to trim: the same frame)."""
    df.columns = [c.strip(SPACES) for c in df.columns]
    if text is not None and not _padded(text):
        return df
    for c in df.columns:
        if c != LINE:
            df[c] = df[c].astype(str).str.strip(SPACES)
    return df


def read_table(folder: Path, spec: FileSpec, log: IssueLog) -> pd.DataFrame | None:
    """Read and type one bundle file (``<name>.csv``, or ``<name>.parquet`` in its place).

    Returns ``None`` if the file is absent or unreadable (reported in ``log``
    unless the file is optional and simply absent). Otherwise a frame with the
    typed columns, the line number column ``_line`` and a boolean column
    ``_bad`` marking rows rejected by an error.

    A clean file is read by the fast path (:mod:`orgraph.columnar`); a file
    with anything to report or repair is read by the careful reader, so the
    frame and the issues are the same either way.
    """
    path = folder / spec.filename
    parquet = folder / f"{spec.name}.parquet"
    if parquet.exists():
        if path.exists():
            log.add("error", spec.filename, None, None, f"both {spec.filename} and {parquet.name} are in the "
                    "folder; keep one of them", "ambiguous-file")
            return None
        return _read_parquet(parquet, spec, log)
    if not path.exists():
        if not spec.optional_file:
            others = sorted(p.name for p in folder.glob("*.csv"))
            near = difflib.get_close_matches(spec.filename, others, n=1, cutoff=0.85)
            hint = f"; found {near[0]!r} — rename it?" if near else (
                f"; CSV files found: {', '.join(others)}" if others else "; the folder has no CSV files")
            log.add("error", spec.filename, None, None, f"required file is missing{hint}", "missing-file")
        return None
    if _file_ok(path, log) is None:
        return None
    df = fast_csv(path, spec)  # read in pieces: a large file is never held whole as bytes
    if df is not None:
        return df if _columns_ok(df, spec, log) else None
    raw = _read_bytes(path, log)
    if raw is None:
        return None
    text = _decode(raw, spec.filename, log)
    del raw
    if text is None:
        return None
    if not text.strip():
        log.add("error", spec.filename, 1, None, "file is empty; a header row is required", "empty-file")
        return None
    df = _frame_from_text(text, spec.filename, log)
    if df is None:
        return None
    return _type_frame(df, spec, log, bool(_CONTROL.search(text)))


def _read_parquet(path: Path, spec: FileSpec, log: IssueLog) -> pd.DataFrame | None:
    """Read a Parquet file in place of ``spec``'s CSV file: the same columns, checks and messages, with row
    ``i`` (from 0) numbered as line ``i + 2``, the line it would have in the CSV file."""
    name = spec.filename
    try:
        table = string_table(pq.read_table(path))
    except (OSError, pa.ArrowException) as exc:
        log.add("error", name, None, None, f"{path.name} cannot be read as Parquet: {exc}", "unreadable-file")
        return None
    df = fast_parquet(table, spec)
    if df is not None:
        return df if _columns_ok(df, spec, log) else None
    if len(set(table.column_names)) != len(table.column_names):
        dups = sorted({c for c in table.column_names if table.column_names.count(c) > 1})
        log.add("error", name, 1, None, f"the header names column(s) {', '.join(map(repr, dups))} more than once",
                "header")
        return None
    df = pd.DataFrame({c: table.column(c).to_numpy(zero_copy_only=False).astype(object)
                       for c in table.column_names}, index=pd.RangeIndex(table.num_rows))
    df[LINE] = np.arange(2, table.num_rows + 2, dtype=np.int64)
    df = _strip(df)
    control = any(df[c].str.contains(_CONTROL).any() for c in df.columns if c != LINE)
    return _type_frame(df, spec, log, control)


def _columns_ok(df: pd.DataFrame, spec: FileSpec, log: IssueLog) -> bool:
    """Report missing (error) and unknown (warning) columns; whether every required column is there."""
    found = [c for c in df.columns if c not in (LINE, "_bad")]
    missing = [c for c in spec.required if c not in df.columns]
    for c in missing:
        log.add("error", spec.filename, 1, c,
                f"required column {c!r} is missing (columns found: {', '.join(found)}{_closest(c, found)})",
                "missing-column")
    if missing:
        return False
    for c in found:
        if c not in spec.types:
            log.add("warning", spec.filename, 1, c,
                    f"column {c!r} is not used by orgraph and is ignored{_closest(c, list(spec.types))}",
                    "unknown-column")
    return True


def _type_frame(df: pd.DataFrame, spec: FileSpec, log: IssueLog, control: bool) -> pd.DataFrame | None:
    """The careful reader's typing: every cell of a frame of stripped strings checked and typed."""
    if not _columns_ok(df, spec, log):
        return None
    df["_bad"] = False
    if control:
        _reject_control_characters(df, spec, log)
    for col, kind in spec.types.items():
        if col not in df.columns:
            continue
        raw = df[col]
        empty = raw == ""
        if col in spec.not_empty:
            bad = empty & ~df["_bad"]
            if bad.any():
                log.add_rows("error", spec.filename, df.loc[bad, LINE], col, f"{col} is empty; a value is required",
                             "empty-value")
                df.loc[bad, "_bad"] = True
        df[col] = _parse(df, col, kind, empty, spec.filename, log)
    return df


def _reject_control_characters(df: pd.DataFrame, spec: FileSpec, log: IssueLog) -> None:
    """Rows with a control character in a column orgraph reads are errors, named by line and column."""
    for col in spec.types:
        if col not in df.columns:
            continue
        bad = df[col].str.contains(_CONTROL) & ~df["_bad"]
        if bad.any():
            log.add_rows("error", spec.filename, df.loc[bad, LINE], col,
                         [f"{col} holds the control character U+{ord(_CONTROL.search(v).group()):04X}, which is not "
                          "text (a damaged export?); remove it" for v in df.loc[bad, col]], "control-character")
            df.loc[bad, "_bad"] = True


def _parse(df: pd.DataFrame, col: str, kind: str, empty: pd.Series, fname: str, log: IssueLog) -> pd.Series:
    raw = df[col]
    if kind == "str":
        # object dtype, so a missing value is None (pandas 3 would make it NaN in its str dtype)
        return raw.astype(object).where(~empty, None)
    if kind in ("date", "month"):
        pattern, fmt, example = ((_DATE_RE, "%Y-%m-%d", "YYYY-MM-DD, for example 2023-04-30") if kind == "date"
                                 else (_MONTH_RE, "%Y-%m", "YYYY-MM, for example 2023-04"))
        uniq = pd.unique(raw[~empty])
        parsed: dict[str, pd.Timestamp] = {}
        for u in uniq:
            if pattern.match(u):
                try:
                    parsed[u] = pd.Timestamp(dt.datetime.strptime(u, fmt))
                except ValueError:
                    pass
        years = {u: t.year for u, t in parsed.items()}
        year = raw.map(years)
        open_end = _is_end_column(col) & (year >= OPEN_END_YEAR)
        if open_end.any():
            log.add_rows("warning", fname, df.loc[open_end, LINE], col,
                         [f"{v!r} is read as no end date (a common 'open' value in HR systems)"
                          for v in raw[open_end]], "open-end-date")
            empty = empty | open_end
            df[OPEN_END + col] = open_end
        out_of_range = ~empty & ((year < MIN_YEAR) | (year > MAX_YEAR))
        implausible = out_of_range & ~df["_bad"]
        if implausible.any():
            log.add_rows("error", fname, df.loc[implausible, LINE], col,
                         [f"{v!r} is outside the plausible range {MIN_YEAR}-{MAX_YEAR}" for v in raw[implausible]],
                         "implausible-date")
            df.loc[implausible, "_bad"] = True
        out = raw.map(parsed).where(~empty & ~out_of_range)  # also in rows already rejected: no overflow
        bad = ~empty & out.isna() & ~df["_bad"]
        if bad.any():
            log.add_rows("error", fname, df.loc[bad, LINE], col,
                         [f"{v!r} is not a {kind}; expected {example}" for v in raw[bad]], f"bad-{kind}")
            df.loc[bad, "_bad"] = True
        return pd.to_datetime(out).astype("datetime64[ns]")  # one unit on pandas 2 and 3
    if kind in ("int", "float"):
        num = pd.to_numeric(raw.where(~empty, None), errors="coerce")
        bad = ~empty & num.isna()
        what = "a whole number" if kind == "int" else "a number"
        if kind == "int":
            frac = num.notna() & (num != np.floor(num.fillna(0)))
            bad = bad | frac
        neg = num.notna() & (num < 0)
        bad = (bad | neg) & ~df["_bad"]
        if bad.any():
            log.add_rows("error", fname, df.loc[bad, LINE], col,
                         [f"{v!r} is not {what} ≥ 0" for v in raw[bad]], "bad-number")
            df.loc[bad, "_bad"] = True
        return num
    if kind == "bool":
        low = raw.str.lower()
        bad = ~low.isin(_TRUE | _FALSE) & ~df["_bad"]
        if bad.any():
            log.add_rows("error", fname, df.loc[bad, LINE], col,
                         [f"{v!r} is not true/false" for v in raw[bad]], "bad-bool")
            df.loc[bad, "_bad"] = True
        return low.isin(_TRUE)
    raise ValueError(kind)


def _is_end_column(col: str) -> bool:
    return col.endswith("end_date") or col == "termination_date"


def bundle_files(folder: Path) -> list[Path]:
    """The bundle files of ``folder`` that exist (CSV or Parquet), in reading order.

    Examples
    --------
    >>> bundle_files(Path("examples/riverbend"))[0].name
    'staff.csv'
    """
    out = []
    for spec in FILES.values():
        for p in (folder / spec.filename, folder / f"{spec.name}.parquet"):
            if p.is_file():
                out.append(p)
    return out


def read_tables(folder: Path, log: IssueLog, progress=None) -> dict[str, pd.DataFrame | None]:
    """Read every bundle file of ``folder`` (see :func:`read_table`).

    ``progress``, if given, is called after each file as ``progress(name, rows, nbytes)``: the table's
    name, the rows read and the bytes of its file(s).
    """
    out = {}
    csvs = [(folder / spec.filename, spec) for spec in FILES.values()
            if (folder / spec.filename).is_file() and not (folder / f"{spec.name}.parquet").exists()]
    with read_ahead(csvs):              # the next file is parsed while this one is typed and checked
        for name, spec in FILES.items():
            out[name] = df = read_table(folder, spec, log)
            if progress is not None:
                size = sum(p.stat().st_size for p in (folder / spec.filename, folder / f"{spec.name}.parquet")
                           if p.is_file())
                progress(name, 0 if df is None else len(df), size)
    return out
