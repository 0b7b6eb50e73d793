"""The fast path for clean bundle files: pyarrow reads them, numpy types them.

:func:`fast_csv` and :func:`fast_parquet` turn a whole file into the typed
frame :func:`orgraph.reading.read_table` returns, or give up (``None``) at the
first sign of anything the careful reader would report or repair: padding,
quotes, control characters, undecodable bytes, blank or ragged lines, an
empty required cell, a value that is not a date or number, a date out of
range. The careful reader then reads the file again, so every answer and
every message is the careful reader's: the fast path only skips work that
would have found nothing.

Each column is read as text and dictionary-encoded (one integer code per row,
each distinct value once), and the distinct values are typed exactly as the
careful reader types them: a column of twenty million rows with four thousand
distinct months is parsed four thousand times, and its text column holds one
shared Python string per distinct value. Date columns are parsed by pyarrow
itself, which takes exactly ``YYYY-MM-DD`` of a day that exists (anything else
sends the file to the careful reader). A file read from its path is read once:
its bytes are checked piece by piece as pyarrow parses them.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import re
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .model import COMPACT_TEXT, TABLE_COLUMNS
from .schema import MAX_YEAR, MIN_YEAR, FileSpec

__all__ = ["fast_csv", "read_ahead", "fast_parquet", "string_table", "release_memory", "csv_to_parquet", "PARQUET_TYPES", "LINE", "TRUE_WORDS", "FALSE_WORDS", "DATE_RE", "MONTH_RE"]

LINE = "_line"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", ""})

_BOM = b"\xef\xbb\xbf"
#: Bytes that send a CSV file to the careful reader: C0 controls other than line breaks, tab (padding) and quotes.
_ODD_BYTES = bytes([*range(0, 10), 11, 12, *range(14, 32), ord('"')])
_PLAIN_BYTES = bytes(b for b in range(256) if b not in _ODD_BYTES)
_PADDING = (b" ,", b", ", b" \n", b" \r", b"\n ", b"\r ")
#: The Unicode space separators beyond ASCII (no-break space and its kind) in UTF-8: the careful reader trims them
#: around values (:data:`orgraph.reading.SPACES`), so a file holding one anywhere is left to it.
_WIDE_SPACE = re.compile(rb"\xc2\xa0|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xaf]|\xe2\x81\x9f|\xe3\x80\x80")
#: U+FFFE and U+FFFF in UTF-8 (not text; the careful reader reports them).
_NONCHARS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
#: Text the careful reader would strip or reject (Parquet values: padding, control characters, non-characters).
_ODD_TEXT = r"^[\s\pZ\x{85}]|[\s\pZ\x{85}]$|[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"


#: The Parquet type :func:`csv_to_parquet` gives each kind of column (months stay ``YYYY-MM`` text).
PARQUET_TYPES = {"str": pa.string(), "date": pa.date32(), "month": pa.string(), "int": pa.int64(),
                 "float": pa.float64(), "bool": pa.bool_()}


def csv_to_parquet(path, spec: FileSpec):
    """Write the clean CSV file ``path`` as ``<name>.parquet`` beside it, typed by ``spec``, and delete the CSV.

    Empty cells become nulls; columns orgraph does not read stay text. Returns the Parquet file's path.
    Raises ``pyarrow.ArrowInvalid`` if a cell does not fit its column's type (the file would not validate).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from orgraph.schema import FILES
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "programs.csv").write_text("program_id,name,service_line\\nOP,Outpatient,outpatient\\n")
    >>> out = csv_to_parquet(folder / "programs.csv", FILES["programs"])
    >>> out.name, pq.read_table(out).to_pydict()["name"], (folder / "programs.csv").exists()
    ('programs.parquet', ['Outpatient'], False)
    """
    path = Path(path)
    header = path.open("rb").readline().decode("utf-8-sig").rstrip("\r\n").split(",")
    types = {c: PARQUET_TYPES[spec.types[c]] if c in spec.types else pa.string() for c in header}
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, null_values=[""], true_values=sorted(TRUE_WORDS - {""}),
        false_values=sorted(FALSE_WORDS - {""})))
    out = path.with_suffix(".parquet")
    pq.write_table(table, out)
    path.unlink()
    return out


#: How long (ms) jemalloc keeps freed pages for reuse before giving them back to the system.
_DECAY_MS = 1000


def _reading_pool() -> pa.MemoryPool:
    """The Arrow memory pool the fast reader allocates from: jemalloc where pyarrow has it (it gives freed
    pages back to the system when asked; mimalloc keeps a large part of a big file's text resident after
    the file is typed), else pyarrow's default."""
    try:
        # freed pages go back a second after they were freed (arenas made from now on): the next file's buffers
        # reuse them instead of faulting fresh pages in (at 50k staff 10% fewer page faults than letting them go
        # at once); release_memory returns them at once where a stage ends
        pa.jemalloc_set_decay_ms(_DECAY_MS)
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()


_POOL = _reading_pool()


def _malloc_trim():
    """glibc's ``malloc_trim`` (``None`` on other C libraries and systems)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # musl and other C libraries have no malloc_trim
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Give memory freed while reading, or by an analysis, back to the system.

    The fast reader frees a file's text and its typing's temporaries (hundreds of MB for a large bundle);
    the Arrow pool and the C allocator keep freed pages for reuse unless asked to return them, so a loaded
    bundle would hold far more memory than its tables. Asks both (glibc's ``malloc_trim`` where there is
    one); costs milliseconds.

    Examples
    --------
    >>> release_memory()
    """
    _POOL.release_unused()
    default = pa.default_memory_pool()       # what pandas' Arrow-backed columns and pyarrow.compute allocate from
    if default.backend_name != _POOL.backend_name:
        default.release_unused()
    if _TRIM is not None:
        _TRIM(0)


class _GiveUp(Exception):
    """The careful reader must read this file."""


def _odd_inside(raw: bytes) -> bool:
    """Whether the bytes hold anything the careful reader repairs or reports (quotes, controls, tabs, spaces
    beside a comma or a line break, Unicode spaces, non-characters); spaces at the very start and end are
    checked apart."""
    if raw.translate(None, _PLAIN_BYTES):
        return True
    if b" " in raw and any(p in raw for p in _PADDING):
        return True
    return not raw.isascii() and (any(p in raw for p in _NONCHARS) or _WIDE_SPACE.search(raw) is not None)


def fast_csv(raw: bytes | list | Path, spec: FileSpec) -> pd.DataFrame | None:
    """Read and type a clean CSV file, or ``None`` when the careful reader must.

    Parameters
    ----------
    raw : bytes, list or Path
        The whole file; or a list holding it, emptied once the file is parsed so the bytes can be freed
        while the columns are typed (an empty list after ``None`` means the bytes must be read again); or
        the file's path, read in pieces and never held whole.
    spec : FileSpec
        What the file holds.

    Returns
    -------
    DataFrame or None
        The header's columns typed as :func:`orgraph.reading.read_table`
        types them, the line number column ``_line`` and ``_bad`` (all false).

    Examples
    --------
    >>> from orgraph.schema import FILES
    >>> df = fast_csv(b"program_id,name,service_line\\nOP,Outpatient,outpatient\\n", FILES["programs"])
    >>> df.to_dict("records")
    [{'program_id': 'OP', 'name': 'Outpatient', 'service_line': 'outpatient', '_line': 2, '_bad': False}]
    >>> fast_csv(b'program_id,name,service_line\\nOP,"Out, patient",outpatient\\n', FILES["programs"]) is None
    True
    """
    if isinstance(raw, Path):
        return _fast_file(raw, spec)
    box = raw if isinstance(raw, list) else [raw]
    scan = _scan_bytes(box[0])
    if scan is None:
        return None
    header, n_lines = scan
    table = _read(pa.py_buffer(box[0]), header, spec)
    if table is None or table.num_rows != n_lines - 1:
        return None  # blank lines skipped: numbering rows needs the careful reader
    box.clear()  # the bytes can go now
    held = [table]  # and the table column by column, as it is typed
    del table
    return _typed(held, spec)


def _header(first_line: bytes) -> list[str] | None:
    """The column names of a header line (BOM and line break removed), or ``None`` if odd."""
    try:
        header = first_line.rstrip(b"\r\n").decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if "" in header or len(set(header)) != len(header):
        return None
    return header


def _scan_bytes(raw: bytes) -> tuple[list[str], int] | None:
    """The header and the number of lines of a clean file, or ``None`` if the careful reader must read it."""
    start = 3 if raw.startswith(_BOM) else 0
    if len(raw) <= start or raw[start:].isspace() or _odd_inside(raw):
        return None
    if raw[start:start + 1] == b" " or raw.rstrip(b"\r\n")[-1:] == b" ":
        return None
    eol = raw.find(b"\n")
    header = _header(raw[start:eol if eol >= 0 else len(raw)])
    if header is None:
        return None
    return header, raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)


#: The most bytes checked at a time when a file is read from its path (pyarrow asks for 4 MiB at a time).
_PIECE = 1 << 26


def _read(source, header: list[str], spec: FileSpec) -> pa.Table | None:
    """The file's rows (after its header) as text columns, or ``None`` if pyarrow cannot read them so."""
    # a column of few distinct values is read dictionary-encoded: one small integer per row, never a string;
    # a date column as dates (pyarrow takes exactly YYYY-MM-DD of a day that exists; an empty cell is null)
    types = {c: pa.string() if _compact(spec, c) else pa.date32() if spec.types.get(c) == "date" else _DICT
             for c in header}
    try:
        return pacsv.read_csv(
            source, read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                  null_values=[""], check_utf8=True),
            memory_pool=_POOL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None


class _Checked:
    """A file read once, for pyarrow, with the checks of :func:`_scan_bytes` made on each piece as it passes
    (each piece checked with the last bytes of the one before, so a pattern split between two pieces is
    still found). Anything odd ends the reading early (pyarrow sees the end of the file) and sets ``odd``."""

    def __init__(self, f, start: int):
        self._f, self._start = f, start
        self.odd, self.lines, self.content, self.ends_nl = False, 0, False, False
        self._carry, self._last, self._first = b"", b"", True

    def read(self, n: int = -1) -> bytes:
        if self.odd:
            return b""
        piece = self._f.read(_PIECE if n is None or n < 0 else n)
        for i in range(0, len(piece), _PIECE):  # one check per piece pyarrow asks for, unless _PIECE is smaller
            if not self._check(piece[i:i + _PIECE]):
                self.odd = True
                return b""
        return piece

    def _check(self, piece: bytes) -> bool:
        if b"\x00" in piece or _odd_inside(piece) or _odd_inside(self._carry + piece[:2]):
            return False
        body = piece[self._start:] if self._first else piece
        self._first = False
        self.content = self.content or (bool(body) and not body.isspace())
        self.lines += piece.count(b"\n")
        self._carry = (self._carry + piece)[-2:]
        kept = piece.rstrip(b"\r\n")
        if kept:
            self._last = kept[-1:]
        self.ends_nl = piece.endswith(b"\n")
        return True

    def n_lines(self) -> int | None:
        """The file's lines, or ``None`` if it held anything odd, no content, or ends in a space."""
        if self.odd or not self.content or self._last == b" ":
            return None
        return self.lines + (0 if self.ends_nl else 1)

    readable = staticmethod(lambda: True)
    seekable = staticmethod(lambda: False)
    closed = False

    def close(self) -> None:
        """pyarrow closes its input when done; the caller closes the file."""


def _fast_file(path: Path, spec: FileSpec) -> pd.DataFrame | None:
    """:func:`fast_csv` of a file read from its path: read once, in pieces, checked as pyarrow parses them
    (the file is never held whole, nor read twice); parsed in the background when :func:`read_ahead` has
    it in hand."""
    ahead = _AHEAD
    table = ahead.take(path, spec) if ahead is not None else _NOT_AHEAD
    if table is _NOT_AHEAD:
        table = _parse_file(path, spec)
    if table is None:
        return None
    held = [table]
    del table
    return _typed(held, spec)


#: The :class:`_ReadAhead` of the :func:`read_ahead` block running, if any.
_AHEAD = None
#: What :meth:`_ReadAhead.take` gives for a file it does not have in hand.
_NOT_AHEAD = object()


class _ReadAhead:
    """Parses the files of ``jobs`` in order in a thread, each once the caller has taken the one before:
    one file is parsed (pyarrow, which lets go of the interpreter) while the caller types the last one,
    and never more than one parsed table waits."""

    def __init__(self, jobs: list):
        self._jobs = [(Path(p), spec) for p, spec in jobs]
        self._where = {(p, spec.name): i for i, (p, spec) in enumerate(self._jobs)}
        self._ready: dict[int, object] = {}
        self._asked = -1                # the last job the caller asked for (it passed over those before)
        self._stop = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="orgraph-read-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for i, (path, spec) in enumerate(self._jobs):
            with self._cond:             # parse a file once the caller has asked for the one before
                self._cond.wait_for(lambda: self._stop or self._asked >= i - 1)
                if self._stop:
                    return
                if self._asked > i:      # the caller went past it: nobody will take it
                    continue
            try:
                table = _parse_file(path, spec)
            except BaseException:        # noqa: BLE001 -- the caller parses it again and sees the error
                table = _NOT_AHEAD
            with self._cond:
                self._ready[i] = table
                self._cond.notify_all()

    def take(self, path: Path, spec: FileSpec):
        """The parsed table of ``path`` (``None``: the careful reader must read it), waiting for it if need
        be; :data:`_NOT_AHEAD` when it is not one of the jobs."""
        i = self._where.get((Path(path), spec.name))
        if i is None:
            return _NOT_AHEAD
        with self._cond:
            if i <= self._asked:         # asked for already
                return _NOT_AHEAD
            self._asked = i
            self._cond.notify_all()      # the next file's parsing may start now
            self._cond.wait_for(lambda: i in self._ready or not self._thread.is_alive())
            table = self._ready.pop(i, _NOT_AHEAD)
            for j in [j for j in self._ready if j < i]:
                del self._ready[j]
        return table

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._ready.clear()
            self._cond.notify_all()
        self._thread.join()


@contextlib.contextmanager
def read_ahead(jobs):
    """Within the block, :func:`fast_csv` of each file of ``jobs`` (``(path, spec)`` pairs, in the order they
    will be read) finds it parsed already: a thread parses the next file while the caller types the one it has.

    Examples
    --------
    >>> import tempfile
    >>> from orgraph.schema import FILES
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "programs.csv").write_text("program_id,name,service_line\\nOP,Outpatient,outpatient\\n")
    >>> with read_ahead([(folder / "programs.csv", FILES["programs"])]):
    ...     fast_csv(folder / "programs.csv", FILES["programs"])["name"].tolist()
    ['Outpatient']
    """
    global _AHEAD
    if _AHEAD is not None or len(jobs) < 2:
        yield
        return
    ahead = _ReadAhead(jobs)
    _AHEAD = ahead
    try:
        yield
    finally:
        _AHEAD = None
        ahead.close()


def _parse_file(path: Path, spec: FileSpec) -> pa.Table | None:
    """The file's rows as pyarrow reads them (:func:`_read`), or ``None`` when the careful reader must."""
    try:
        with open(path, "rb") as f:
            first = f.readline()
            start = 3 if first.startswith(_BOM) else 0
            header = _header(first[start:])
            if first[start:start + 1] == b" " or header is None:
                return None
            f.seek(0)
            checked = _Checked(f, start)
            table = _read(checked, header, spec)
            n_lines = checked.n_lines() if table is not None else None
    except OSError:
        return None  # the careful reader says why the file cannot be read
    if n_lines is None or table.num_rows != n_lines - 1:
        return None  # blank lines skipped: numbering rows needs the careful reader
    return table


def string_table(table: pa.Table) -> pa.Table:
    """A Parquet table's columns as text, as a CSV export would write them (nulls as empty text).

    Examples
    --------
    >>> t = pa.table({"d": pa.array([dt.date(2024, 1, 31), None]), "n": [1, 2], "f": [1.5, None]})
    >>> string_table(t).to_pydict()
    {'d': ['2024-01-31', ''], 'n': ['1', '2'], 'f': ['1.5', '']}
    """
    cols = []
    for col in table.columns:
        t = col.type
        if pa.types.is_dictionary(t):
            col, t = col.cast(t.value_type), t.value_type
        if pa.types.is_timestamp(t):
            col = pc.strftime(col, format="%Y-%m-%d")
        elif pa.types.is_boolean(t):
            col = pc.if_else(col, "true", "false")
        elif not pa.types.is_string(t):
            col = col.cast(pa.string())
        cols.append(col.fill_null(""))
    return pa.table(cols, names=table.column_names)


def fast_parquet(table: pa.Table, spec: FileSpec) -> pd.DataFrame | None:
    """Type a Parquet table already turned to text by :func:`string_table`, or ``None`` when the careful
    reader must. Row ``i`` (from 0) is numbered line ``i + 2``, the line it would have in a CSV file.

    Examples
    --------
    >>> from orgraph.schema import FILES
    >>> t = pa.table({"program_id": ["OP"], "name": [" Outpatient"], "service_line": ["outpatient"]})
    >>> fast_parquet(t, FILES["programs"]) is None
    True
    """
    if "" in table.column_names or len(set(table.column_names)) != len(table.column_names):
        return None
    return _typed([table], spec, check_text=True)


def _typed(held: list, spec: FileSpec, *, check_text: bool = False) -> pd.DataFrame | None:
    """The typed frame of the table in ``held`` (a one-item list, emptied: each column is let go once typed)."""
    table = held.pop()
    n = table.num_rows
    out: dict[str, object] = {}
    try:
        for name in table.column_names:
            col = table.column(name)
            table = table.drop_columns([name])  # let each column go once typed
            out[name] = _column(col, name, spec, n, check_text)
            del col
    except _GiveUp:
        return None
    finally:
        del table
        release_memory()
    index = pd.RangeIndex(n)
    # text stays object (None for empty), as the careful reader has it; pandas 3 would infer its str dtype
    cols = {c: pd.Series(v, index=index, dtype=object, copy=False)
            if isinstance(v, np.ndarray) and v.dtype == object else v for c, v in out.items()}
    # the line numbers and flags go in with the rest: set on the frame afterwards, each would be copied
    cols[LINE] = np.arange(2, n + 2, dtype=np.int64)
    cols["_bad"] = np.zeros(n, dtype=bool)
    return pd.DataFrame(cols, index=index, copy=False)


#: How :func:`fast_csv` reads a column that is not :data:`~orgraph.model.COMPACT_TEXT`.
_DICT = pa.dictionary(pa.int32(), pa.string())


def _compact(spec: FileSpec, name: str) -> bool:
    """Whether the column is text kept as one Arrow string buffer (nearly unique per row: client ids)."""
    return spec.types.get(name) == "str" and TABLE_COLUMNS.get(spec.table, {}).get(name) == COMPACT_TEXT


def _codes(col: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Integer code per row and the distinct values, in the order each first appears.

    Examples
    --------
    >>> codes, values = _codes(pa.chunked_array([["b", "a"], ["a", "c"]]))
    >>> codes.tolist(), values.to_pylist()
    ([0, 1, 1, 2], ['b', 'a', 'c'])
    >>> codes, values = _codes(pa.chunked_array([["b", "a"], ["a", "c"]]).cast(_DICT))
    >>> codes.tolist(), values.to_pylist()
    ([0, 1, 1, 2], ['b', 'a', 'c'])
    """
    if pa.types.is_dictionary(col.type):
        if not col.num_chunks:
            return np.empty(0, dtype=np.int32), pa.array([], col.type.value_type)
        # each chunk has its own dictionary: unified, the first chunk's values come first, then each new one
        # in the order it appears, as pc.unique would have them
        col = pa.table({"c": col}).unify_dictionaries(memory_pool=_POOL).column("c")
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in col.chunks])
        return codes, col.chunk(0).dictionary
    values = pc.unique(col, memory_pool=_POOL)
    if not len(col):
        return np.empty(0, dtype=np.int32), values
    return pc.index_in(col, value_set=values, memory_pool=_POOL).to_numpy(), values


def _column(col: pa.ChunkedArray, name: str, spec: FileSpec, n: int, check_text: bool):
    kind = spec.types.get(name)
    if pa.types.is_date32(col.type):
        return _read_dates(col, name in spec.not_empty)
    if _compact(spec, name):
        # text that is nearly unique per row (client ids): one Arrow buffer, not a Python string per row
        if check_text and pc.any(pc.match_substring_regex(col, _ODD_TEXT)).as_py():
            raise _GiveUp
        if name in spec.not_empty and pc.any(pc.equal(col, "")).as_py():
            raise _GiveUp
        # one buffer (combine_chunks ignores the pool), as large_string, which pandas would cast it to
        whole = pa.concat_arrays(col.chunks, memory_pool=_POOL) if n else pa.array([], pa.string())
        del col
        return pd.arrays.ArrowStringArray(pc.cast(whole, pa.large_string(), memory_pool=_POOL))
    codes, values = _codes(col)
    if check_text and pc.any(pc.match_substring_regex(values, _ODD_TEXT)).as_py():
        raise _GiveUp
    uniq = values.to_numpy(zero_copy_only=False).astype(object)
    empty = uniq == ""
    if empty.any() and name in spec.not_empty:
        raise _GiveUp
    if kind is None:
        return uniq[codes]  # a column orgraph does not read: kept as text, as the careful reader keeps it
    if kind == "str":
        if spec.table in TABLE_COLUMNS and not empty.any():
            # ids of the large tables: integer codes while the rules run (the model holds strings)
            return pd.Categorical.from_codes(codes, categories=pd.Index(uniq, dtype=object))
        uniq[empty] = None
        return uniq[codes]
    if kind in ("date", "month"):
        return _dates(uniq, empty, kind)[codes]
    if kind in ("int", "float"):
        num = pd.to_numeric(pd.Series(uniq[~empty], dtype=object), errors="coerce")
        if num.dtype not in (np.int64, np.float64) or num.isna().any() or (num < 0).any():
            raise _GiveUp
        if kind == "int" and (num != np.floor(num)).any():
            raise _GiveUp
        if empty.any():
            vals = np.full(len(uniq), np.nan)
            vals[~empty] = num.to_numpy(dtype=np.float64)
        else:
            vals = num.to_numpy()
        return vals[codes]
    if kind == "bool":
        low = [u.lower() for u in uniq]
        if any(u not in TRUE_WORDS and u not in FALSE_WORDS for u in low):
            raise _GiveUp
        return np.array([u in TRUE_WORDS for u in low], dtype=bool)[codes]
    raise ValueError(kind)


def _read_dates(col: pa.ChunkedArray, required: bool) -> np.ndarray:
    """A date column pyarrow has read as ``datetime64[ns]`` (``NaT`` for empty); gives up on anything the
    careful reader reports (an empty required cell, a year out of range or a "no end" placeholder).

    Examples
    --------
    >>> _read_dates(pa.chunked_array([pa.array([dt.date(2024, 1, 31), None])]), False)
    array(['2024-01-31T00:00:00.000000000',                           'NaT'],
          dtype='datetime64[ns]')
    """
    if col.null_count and required:
        raise _GiveUp
    if col.null_count < len(col):
        low, high = pc.min_max(col).values()
        if not (MIN_YEAR <= low.as_py().year and high.as_py().year <= MAX_YEAR):
            raise _GiveUp
    out = pc.cast(col, pa.timestamp("ns"), memory_pool=_POOL).to_numpy()  # one pass, nulls as NaT
    return out if out.flags.writeable else out.copy()  # the rules may mend a date in place


def _dates(uniq: np.ndarray, empty: np.ndarray, kind: str) -> np.ndarray:
    """The distinct values as dates (``NaT`` for empty); gives up on anything the careful reader reports."""
    pattern, unit = (DATE_RE, "D") if kind == "date" else (MONTH_RE, "M")
    given = uniq[~empty].tolist()
    if not all(pattern.match(u) for u in given):
        raise _GiveUp
    try:
        # the pattern leaves only digits in place, so numpy reads exactly what strptime would accept
        days = np.array(given, dtype=f"datetime64[{unit}]")
    except ValueError:
        raise _GiveUp from None  # a day or month that does not exist
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    if len(years) and not (MIN_YEAR <= years.min() and years.max() <= MAX_YEAR):
        raise _GiveUp  # out of range, or a "no end" placeholder: the careful reader says which
    vals = np.full(len(uniq), np.datetime64("NaT"), dtype="datetime64[ns]")
    vals[~empty] = days.astype("datetime64[ns]")
    return vals
