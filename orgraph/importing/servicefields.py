"""Reading a service export's columns: the rows, their outcomes, dates, times, numbers and the bundle's staff.

Used by :mod:`.services`. Each column is handled whole (pandas/numpy), and each *distinct* value of a
column is parsed once: exports repeat dates, codes and ids a lot, so a million rows are a few thousand
parses. :class:`RowOutcomes` records what happens to each row (imported, merged or rejected, with its rule
and reason) as whole-column masks.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SourceError
from .dates import DateParser, detect_format
from .mapping import Mapping
from .source import EXCEL_SUFFIXES, read_source

__all__ = ["read_frame", "text_column", "RowOutcomes", "parse_days", "parse_times", "parse_numbers", "StaffIndex",
           "EPOCH", "EMPTY", "BAD", "NO_END"]

EPOCH = dt.date(1970, 1, 1)
#: Day numbers of an empty and of an unreadable date cell.
EMPTY, BAD = np.iinfo("int64").min, np.iinfo("int64").min + 1
#: The day number of "no end" (a seat or an employment still current).
NO_END = np.iinfo("int64").max // 2
_TOD = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


# ---------------------------------------------------------------- reading
def read_frame(path: Path, m: Mapping):
    """``(cells, lines, bad)``: a DataFrame of text cells, each row's line in the file, unreadable rows.

    Clean CSV files (no cell spanning lines, no malformed or blank rows, no NUL) are read by pandas' C
    parser with line = row + 2; anything else by the exact reader of :mod:`.source`.
    """
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    delimiter = "\t" if path.suffix.lower() == ".tsv" and m.delimiter == "," else m.delimiter
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raw = path.read_bytes()
        n_lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
        if b"\x00" not in raw and b"\r\r" not in raw and raw[:1] not in (b"\n", b"\r"):
            try:
                df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, skip_blank_lines=False,
                                 sep=delimiter, encoding=m.encoding, index_col=False, engine="c")
            except (pd.errors.ParserError, UnicodeDecodeError, LookupError, ValueError):
                df = None
            if df is not None and len(df) + 1 == n_lines:
                df.columns = [str(c).strip() for c in df.columns]
                empty = (df == "").all(axis=1).to_numpy() if len(df.columns) else np.zeros(len(df), bool)
                if not empty.any() and not any(re.search(r"\.\d+$", c) and c.rsplit(".", 1)[0] in df.columns
                                               for c in df.columns):
                    return df, np.arange(2, len(df) + 2, dtype=np.int64), []
    table = read_source(path, delimiter=delimiter, encoding=m.encoding, sheet=m.sheet)
    df = pd.DataFrame(table.rows, columns=table.header, dtype=object) if table.rows else \
        pd.DataFrame({h: pd.Series([], dtype=object) for h in table.header})
    for c in df.columns:           # Excel date cells stay dates (the date parser takes them as they are)
        df[c] = df[c].map(lambda x: x if isinstance(x, dt.date) else str(x))
    return df, np.asarray(table.lines, dtype=np.int64), table.bad


def text_column(df: pd.DataFrame, col: str | None, n: int) -> pd.Series:
    """A column with spaces stripped (done once per distinct value: exports repeat values a lot)."""
    if col is None:
        return pd.Series(np.full(n, "", object))
    codes, uniq = pd.factorize(df[col].to_numpy(), sort=False)
    stripped = np.asarray([u.strip() if isinstance(u, str) else u for u in uniq], object)
    return pd.Series(stripped[codes] if len(uniq) else np.full(n, "", object))


# ------------------------------------------------------------- row ledger
class RowOutcomes:
    """The outcome of every row: imported (0), merged (1) or rejected (2), with rule and reason."""

    def __init__(self, lines: np.ndarray):
        self.lines = lines
        self.status = np.zeros(len(lines), np.int8)
        self.rule = np.full(len(lines), "", object)
        self.reason = np.full(len(lines), "", object)
        self.alive = np.ones(len(lines), bool)
        self.warnings: list[str] = []

    def reject(self, mask, rule: str, message, status: int = 2) -> None:
        """``message``: a text, or a function of the row positions giving one text per row."""
        idx = np.nonzero(np.asarray(mask, bool) & self.alive)[0]
        if not len(idx):
            return
        self.status[idx], self.rule[idx] = status, rule
        self.reason[idx] = message if isinstance(message, str) else list(message(idx))
        self.alive[idx] = False

    def warn(self, mask, message: str) -> None:
        idx = np.nonzero(np.asarray(mask, bool) & self.alive)[0]
        if len(idx):
            shown = ", ".join(str(x) for x in self.lines[idx[:10]])
            more = f" and {len(idx) - 10} more" if len(idx) > 10 else ""
            self.warnings.append(f"{len(idx)} row(s): {message} (line {shown}{more})")


# ------------------------------------------------------------------ values
def parse_days(values: pd.Series, m: Mapping):
    """Day numbers of a date column (``EMPTY``, ``BAD``), the parser, and error texts of the bad ones."""
    codes, uniq = pd.factorize(values, sort=False)
    texts = [u for u in uniq if u]
    fmt = m.date_format_for("service_date")
    if fmt == "auto":
        parser = detect_format(texts, where=f"the date column {m.columns['service_date']!r}")
    else:
        parser = DateParser(fmt) if isinstance(fmt, str) else DateParser(fmt[0], extra=tuple(fmt[1:]))
    out = np.empty(len(uniq), np.int64)
    errors: dict[int, str] = {}
    for i, u in enumerate(uniq):
        if not u:
            out[i] = EMPTY
            continue
        try:
            out[i] = (parser.parse(u) - EPOCH).days
        except ValueError as exc:
            out[i], errors[i] = BAD, str(exc)
    day = out[codes] if len(uniq) else np.zeros(len(values), np.int64)
    return day, parser, lambda idx: [errors.get(int(codes[i]), "") for i in idx]


def parse_times(values: pd.Series, day: np.ndarray, fmt: str):
    """Minutes since 1970-01-01 of a time column (NaN when empty) and a mask of unreadable values.

    A time of day (``14:05``, ``2:05 PM``) is taken on the service's day; anything else is a timestamp
    (ISO 8601 with ``fmt = "auto"``, else ``fmt``'s strptime codes). Each distinct value is read once.

    Examples
    --------
    >>> t, bad = parse_times(pd.Series(["14:05", "2:05 PM", "2023-01-02T03:00", "", "25:00", "soon"]),
    ...                 np.zeros(6, np.int64), "auto")
    >>> t[:3].tolist(), bad.tolist()
    ([845.0, 845.0, 27877140.0], [False, False, False, False, True, True])
    """
    n = len(values)
    codes, uniq = pd.factorize(values.to_numpy(), sort=False)
    tod_u = np.full(len(uniq), np.nan)
    ts_u = np.full(len(uniq), np.nan)
    empty_u = np.zeros(len(uniq), bool)
    stamps = []
    for i, u in enumerate(uniq):
        if not u:
            empty_u[i] = True
            continue
        if isinstance(u, dt.date):      # an Excel cell: a date without its time of day
            u = uniq[i] = u.isoformat()
        mt = _TOD.match(u) if len(u) <= 11 else None
        if mt is None:
            stamps.append(i)
            continue
        h, mi, sec = int(mt.group(1)), int(mt.group(2)), int(mt.group(3) or 0)
        ampm = (mt.group(4) or "").lower()
        if mi < 60 and sec < 60 and (h <= 23 if not ampm else 1 <= h <= 12):
            h = h % 12 + (12 if ampm == "pm" else 0) if ampm else h
            tod_u[i] = h * 60 + mi + sec / 60
    if stamps:
        kw = {"format": "ISO8601"} if fmt == "auto" else {"format": fmt}
        ts = pd.to_datetime(pd.Series(uniq[stamps]), errors="coerce", utc=True, **kw)
        ok = ts.notna().to_numpy()
        secs = ts[ok].dt.tz_localize(None).to_numpy().astype("datetime64[s]").astype(np.int64)
        ts_u[np.asarray(stamps)[ok]] = secs / 60.0
    if not len(uniq):
        return np.full(n, np.nan), np.zeros(n, bool)
    out = np.where(np.isnan(tod_u[codes]), ts_u[codes], day * 1440.0 + tod_u[codes])
    return out, ~empty_u[codes] & np.isnan(out)


def parse_numbers(values: pd.Series):
    """Numbers of a column (NaN when empty) and a mask of values that are not finite numbers."""
    codes, uniq = pd.factorize(values.to_numpy(), sort=False)
    if not len(uniq):
        return np.full(len(values), np.nan), np.zeros(len(values), bool)
    uniq = np.asarray([u if isinstance(u, str) else str(u) for u in uniq], object)
    x_u = np.array(pd.to_numeric(pd.Series(uniq).str.replace(",", "", regex=False), errors="coerce"), dtype=float)
    empty_u = np.asarray([not u for u in uniq])
    bad_u = ~empty_u & ~np.isfinite(x_u)
    x_u[bad_u | empty_u] = np.nan
    return x_u[codes], bad_u[codes]


# ------------------------------------------------------------------- staff
class StaffIndex:
    """The bundle's staff records, looked up by the ids an EHR uses (a rehire ``X-2`` is a spell of ``X``)."""

    def __init__(self, path: Path):
        self.ids: list[str] = []
        self.hire: list[int] = []
        self.term: list[int] = []
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for r in csv.DictReader(fh):
                    sid = (r.get("staff_id") or "").strip()
                    try:
                        hire = dt.date.fromisoformat((r.get("hire_date") or "").strip())
                        t = (r.get("termination_date") or "").strip()
                        term = dt.date.fromisoformat(t) if t else None
                    except ValueError:
                        continue
                    if sid:
                        self.ids.append(sid)
                        self.hire.append((hire - EPOCH).days)
                        self.term.append((term - EPOCH).days if term else NO_END)
        except OSError as exc:
            raise SourceError(f"{path}: cannot read: {exc.strerror}") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SourceError(f"{path}: cannot read the staff of the bundle: {exc}") from None
        index = {sid: i for i, sid in enumerate(self.ids)}
        self.spells: dict[str, list[int]] = defaultdict(list)
        for i, sid in enumerate(self.ids):
            mt = re.fullmatch(r"(.+)-(\d+)", sid)
            base = mt.group(1) if mt and mt.group(1) in index else sid
            self.spells[base].append(i)
        for i, sid in enumerate(self.ids):
            if sid not in self.spells:
                self.spells[sid] = [i]
        self.hire_a = np.asarray(self.hire, np.int64)
        self.term_a = np.asarray(self.term, np.int64)

    def seat_ends(self, path: Path, rec: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The last day of the seat each service's clinician held on its day (``assignments.csv`` at ``path``).

        ``rec`` holds staff record indexes (as :meth:`resolve` gives them) and ``day`` day numbers. A seat
        still held, a day with no seat, or a bundle without ``assignments.csv`` gives :data:`NO_END`.

        Examples
        --------
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "staff.csv").write_text("staff_id,hire_date,termination_date\\nS1,2020-01-01,\\n")
        >>> _ = (d / "assignments.csv").write_text("staff_id,position_id,start_date,end_date\\n"
        ...     "S1,CLN,2020-01-01,2020-06-30\\nS1,SUP,2020-07-01,\\n")
        >>> ix = StaffIndex(d / "staff.csv")
        >>> days = np.array([(dt.date(2020, 3, 1) - EPOCH).days, (dt.date(2020, 8, 1) - EPOCH).days])
        >>> ends = ix.seat_ends(d / "assignments.csv", np.array([0, 0]), days)
        >>> str(EPOCH + dt.timedelta(days=int(ends[0]))), bool(ends[1] == NO_END)
        ('2020-06-30', True)
        """
        out = np.full(len(rec), NO_END, np.int64)
        index = {sid: i for i, sid in enumerate(self.ids)}
        seats: list[tuple[int, int, int]] = []
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for r in csv.DictReader(fh):
                    i = index.get((r.get("staff_id") or "").strip())
                    try:
                        start = dt.date.fromisoformat((r.get("start_date") or "").strip())
                        e = (r.get("end_date") or "").strip()
                        end = (dt.date.fromisoformat(e) - EPOCH).days if e else NO_END
                    except ValueError:
                        continue                      # validation reports the row
                    if i is not None:
                        seats.append((i, (start - EPOCH).days, end))
        except (OSError, csv.Error, UnicodeDecodeError):
            return out                                # validation reports the file
        if not seats or not len(rec):
            return out
        ends = np.asarray([e for _, _, e in seats], np.int64)
        a = pd.DataFrame({"rec": [r for r, _, _ in seats], "start": [s for _, s, _ in seats],
                          "k": np.arange(len(seats))}).sort_values("start", kind="stable")
        q = pd.DataFrame({"rec": np.asarray(rec, np.int64), "day": np.asarray(day, np.int64),
                          "pos": np.arange(len(rec))}).sort_values("day", kind="stable")
        m = pd.merge_asof(q, a, left_on="day", right_on="start", by="rec", direction="backward")
        k = m["k"].fillna(-1).to_numpy().astype(np.int64)        # the seat taken last on or before the day
        pos = m["pos"].to_numpy()
        held = k >= 0
        held[held] = ends[k[held]] >= m["day"].to_numpy()[held]
        out[pos[held]] = ends[k[held]]
        return out

    def span(self, ref: str) -> str:
        parts = []
        for i in self.spells.get(ref, []):
            t = self.term[i]
            end = (EPOCH + dt.timedelta(days=t)).isoformat() if t < NO_END else "now"
            parts.append(f"{(EPOCH + dt.timedelta(days=self.hire[i])).isoformat()} to {end}")
        return ", ".join(parts)

    def resolve(self, refs: pd.Series, day: np.ndarray):
        """Record index of each row's staff id on its day: -1 not in staff.csv, -2 not employed that day."""
        codes, uniq = pd.factorize(refs, sort=False)
        rec = np.full(len(refs), -1, np.int64)
        single = np.full(len(uniq), -1, np.int64)
        for k, u in enumerate(uniq):
            sp = self.spells.get(u)
            if sp is None:
                continue
            if len(sp) == 1:
                single[k] = sp[0]
                continue
            rows = np.nonzero(codes == k)[0]
            rec[rows] = -2
            for i in sp:
                inside = (day[rows] >= self.hire[i]) & (day[rows] <= self.term[i])
                rec[rows[inside]] = i
        s = single[codes] if len(uniq) else np.zeros(0, np.int64)
        has = s >= 0
        inside = np.zeros(len(refs), bool)
        inside[has] = (day[has] >= self.hire_a[s[has]]) & (day[has] <= self.term_a[s[has]])
        rec[has] = np.where(inside[has], s[has], -2)
        return rec
