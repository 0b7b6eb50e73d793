"""The person-time panel: every rate in orgraph counts the days of this one table.

:func:`person_time` cuts each person's employment into pieces -- at calendar
months, at the tenure bands of :data:`~orgraph.analyses.exposure.TENURE_BAND_EDGES`,
at every change of seat or supervisor, and at the first day the export can show
an exit (:func:`~orgraph.analyses.exposure.observed_from`) -- so that on every
piece the role kind, program, seat, supervisor, calendar year and tenure band
are constant. Each piece carries its days at risk (inside the export window
only: left-truncated at its start, censored at the cut) and whether the
person's exit ends it. Exit rates, expected exits (indirect standardisation by
role kind x calendar year x tenure band), the monthly panel
(:func:`orgraph.analyses.panel.person_months`) and every analysis's exposure
counts are sums over these pieces.

The panel is built once per org and cut, with vectorised interval arithmetic:
its size is the number of person-months plus the number of changes.
"""
from __future__ import annotations

import ctypes
import weakref

import numpy as np
import pandas as pd

from . import shared
from .exposure import TENURE_BAND_EDGES, band_rates, observed_from
from .shared import cached, release

__all__ = ["person_time", "overlap", "stratum_days", "stratum_exits", "piece_rates", "standard_rates",
           "staff_codes", "cut_panel", "column_codes", "latest_started", "month_index", "month_start", "attach_context",
           "cached", "release", "day_number", "from_day_number", "distinct_objects", "factorize_objects", "object_runs"]

_SHIFT = 18                 # bits for a day number in a (person, day) key
_OFFSET = 80_000            # days: 1900-01-01 is -25,567 and 2100-12-31 is 47,846 since 1970
_BAND = np.asarray(TENURE_BAND_EDGES, dtype=np.int64)


def day_number(values) -> np.ndarray:
    """Days since 1970-01-01 of datetimes (int64).

    Examples
    --------
    >>> day_number(pd.to_datetime(["1970-01-02", "2000-01-01"])).tolist()
    [1, 10957]
    """
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(values)).to_numpy()
    return arr.astype("datetime64[D]").view(np.int64)  # astype makes a new array: its integers, not a copy


def from_day_number(days) -> np.ndarray:
    """``datetime64[ns]`` of day numbers (inverse of :func:`day_number`).

    Examples
    --------
    >>> from_day_number([0, 19783]).astype(str).tolist()
    ['1970-01-01T00:00:00.000000000', '2024-03-01T00:00:00.000000000']
    """
    d = np.asarray(days, dtype=np.int64)
    if d.size and -_MAX_DAYS < int(d.min()) and int(d.max()) < _MAX_DAYS:
        return (d * _DAY_NS).view("datetime64[ns]")        # whole days in nanoseconds: the same, no calendar
    return d.astype("datetime64[D]").astype("datetime64[ns]")


_MAX_DAYS = 100_000                 # day numbers well inside datetime64[ns] (1697 to 2243)


def _calendar(values, src: str, dst: str) -> np.ndarray:
    """``values.astype(f"datetime64[{unit}]")`` as int64 for integer day (``"D"`` values: to ``"M"`` or ``"Y"``)
    or month (``"M"`` values: to ``"ns"``) numbers, through a table of the range they span when that is
    small: the calendar is worked out once per distinct day instead of once per row.

    Examples
    --------
    >>> d = np.array([19782, 19783, -1, 19782])
    >>> bool((_calendar(d, "D", "M") == d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)).all())
    True
    """
    v = np.asarray(values, dtype=np.int64)
    if v.size > 1024:
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < min(v.size, 1 << 20):
            table = np.arange(lo, hi + 1, dtype=np.int64).astype(f"datetime64[{src}]").astype(f"datetime64[{dst}]")
            return table.astype(np.int64)[v - lo]
    return v.astype(f"datetime64[{src}]").astype(f"datetime64[{dst}]").astype(np.int64)


def _ns(values) -> pd.Series:
    """Datetimes at nanosecond resolution (merge_asof needs both sides alike)."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def staff_codes(org, ids) -> np.ndarray:
    """Integer code of each staff id (its row in ``org.staff_frame``; -1 if unknown): fast join keys.

    The ``staff_id`` column of one of the org's shared tables (``org.data``'s tables, the seat and supervision
    frames) is looked up once per org: later calls get a copy of the codes.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> staff_codes(org, ["C1", "nobody"]).tolist()[1]
    -1
    >>> col = org.supervision_frame["staff_id"]
    >>> bool((staff_codes(org, col) == staff_codes(org, col.tolist())).all())
    True
    """
    if isinstance(ids, pd.Series) and _is_shared_column(org, ids):
        store = shared.tables_of(org).setdefault("staff_codes", {})
        key = id(ids)
        hit = store.get(key)
        if hit is None or hit[0]() is not ids:
            codes = _lookup_codes(org, ids)
            if len(org.staff_frame) < 2**31:
                codes = codes.astype(np.int32)          # kept narrow: half the memory
            # the entry goes with the column (a table dropped or rebuilt leaves no stale codes behind)
            hit = (weakref.ref(ids, lambda ref, k=key, s=store: s.pop(k, None) if s.get(k, (None,))[0] is ref
                               else None), codes)
            store[key] = hit
        return hit[1].astype(np.int64)                  # a fresh int64 copy each call
    return _lookup_codes(org, ids)


def _lookup_codes(org, ids) -> np.ndarray:
    index = org.staff_frame.index
    arr = np.asarray(ids, dtype=object)
    if arr.ndim == 1 and len(arr) > _DISTINCT_MIN:
        objects, inverse = distinct_objects(arr)
        if len(objects) * 4 <= len(arr):                # few distinct objects: look each up once
            return index.get_indexer(pd.Index(objects)).astype(np.int64)[inverse]
    return index.get_indexer(pd.Index(arr)).astype(np.int64)


_DISTINCT_MIN = 4096


def distinct_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct Python objects of an object array (by identity, in order of first appearance) and the
    position of each element's object among them: ``objects[inverse]`` holds the very objects of ``values``.

    Ids read from a file share one string object per distinct value, so hashing the object addresses (plain
    integers) instead of the strings groups the rows by value at integer speed; equal values held in distinct
    objects simply stay apart.

    Examples
    --------
    >>> a, b = "x" * 3, "".join(["x", "xx"])          # equal, distinct objects
    >>> objects, inverse = distinct_objects(np.array([a, None, a, b], dtype=object))
    >>> objects.tolist(), inverse.tolist()
    (['xxx', None, 'xxx'], [0, 1, 0, 2])
    """
    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        return values[:0], np.zeros(0, dtype=np.int64)
    ptr = ctypes.cast(values.ctypes.data, ctypes.POINTER(ctypes.c_int64))
    addresses = np.ctypeslib.as_array(ptr, shape=(len(values),)).copy()   # read while ``values`` lives
    inverse = pd.factorize(addresses)[0].astype(np.int64, copy=False)   # numbered in order of appearance
    seen = np.maximum.accumulate(inverse)
    first = np.flatnonzero(np.r_[True, seen[1:] != seen[:-1]])          # where each number first appears
    return values[first], inverse


def object_runs(values: np.ndarray) -> np.ndarray:
    """Where each run of one and the same Python object starts in a 1-d object array (by identity, compared as
    addresses: no string is hashed or compared). Ids read from a file share one object per distinct value, so
    a table listed by staff member has one run per person.

    Examples
    --------
    >>> a, b = "S1", "".join(["S", "1"])             # equal, distinct objects
    >>> object_runs(np.array([a, a, None, a, b, b], dtype=object)).tolist()
    [0, 2, 3, 4]
    """
    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    ptr = ctypes.cast(values.ctypes.data, ctypes.POINTER(ctypes.c_int64))
    address = np.ctypeslib.as_array(ptr, shape=(len(values),))      # a view: read while ``values`` lives
    heads = np.flatnonzero(address[1:] != address[:-1]) + 1
    del address
    return np.concatenate([np.zeros(1, dtype=np.int64), heads])


def factorize_objects(values) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of an object array (codes in order of first appearance, -1 for None and NaN; the
    distinct values), hashing each distinct object once when the values share a few objects
    (:func:`distinct_objects`), or only the first object of each run when they come in long runs of one object
    (a table listed by id).

    Examples
    --------
    >>> codes, uniq = factorize_objects(np.array(["b", None, "a", "b", np.nan] * 1000, dtype=object))
    >>> codes[:5].tolist(), uniq.tolist()
    ([0, -1, 1, 0, -1], ['b', 'a'])
    >>> codes, uniq = factorize_objects(np.array(["b"] * 5000 + [None] * 5000 + ["a"] * 5000, dtype=object))
    >>> codes[[0, 5000, 10000]].tolist(), uniq.tolist(), codes.dtype == pd.factorize(np.array(["a"]))[0].dtype
    ([0, -1, 1], ['b', 'a'], True)
    """
    arr = np.asarray(values, dtype=object)
    if arr.ndim == 1 and len(arr) > _DISTINCT_MIN:
        heads = object_runs(arr)
        if len(heads) * 8 <= len(arr):                  # listed in runs of one object: each run's head once
            codes, uniq = pd.factorize(arr[heads])
            return np.repeat(codes, np.diff(np.append(heads, len(arr)))), uniq
        objects, inverse = distinct_objects(arr)
        if len(objects) * 4 <= len(arr):
            codes, uniq = pd.factorize(objects)
            return codes[inverse], uniq
    return pd.factorize(arr)


def _is_shared_column(org, ids: pd.Series) -> bool:
    """Whether ``ids`` is the ``staff_id`` column of a table the org holds for every analysis (never changed)."""
    if not _is_weakrefable(org) or ids.name != "staff_id":
        return False
    frames = [vars(org).get(name) for name in ("assignment_frame", "supervision_frame")]
    data = getattr(org, "data", None)
    frames += [vars(data).get(name) for name in _DATA_TABLES] if hasattr(data, "__dict__") else []
    return any(isinstance(f, pd.DataFrame) and "staff_id" in f.columns and f["staff_id"] is ids for f in frames)


_DATA_TABLES = ("assignments", "supervision", "caseload", "documentation", "supervision_sessions",
                "client_assignments")


def month_index(ts) -> np.ndarray:
    """Months since 1970-01 of a datetime Series/array (NaT gives a very negative number).

    Nanosecond times with no NaT go through their day numbers and a table of the months of the days they span
    (:func:`_calendar`): the calendar is worked out once per distinct day instead of once per value.

    Examples
    --------
    >>> t = pd.to_datetime(["1969-12-31 23:00", "1970-01-01 00:00", "2024-02-29 12:00"] * 500)
    >>> month_index(t)[:3].tolist(), bool((month_index(t) == month_index(list(t))).all())
    ([-1, 0, 649], True)
    >>> int(month_index(pd.to_datetime(["2024-01-05", None]))[1]) == np.iinfo(np.int64).min
    True
    """
    ns_type = np.dtype("datetime64[ns]")
    if isinstance(ts, (pd.Series, pd.Index, np.ndarray)) and ts.dtype == ns_type:
        arr = np.asarray(ts)                            # nanosecond datetimes already: no conversion, no copy
    else:
        arr = np.asarray(pd.to_datetime(ts))
    if arr.dtype == ns_type and arr.ndim == 1 and len(arr) > 1024:
        ns = arr.view(np.int64)
        if int(ns.min()) != np.iinfo(np.int64).min:     # no NaT
            return _calendar(np.floor_divide(ns, _DAY_NS), "D", "M")
    return arr.astype("datetime64[M]").astype(np.int64)


def month_start(idx) -> np.ndarray:
    """First day of month ``idx`` (months since 1970-01) as ``datetime64[ns]``.

    Examples
    --------
    >>> month_start([0, 650]).astype("datetime64[D]").astype(str).tolist()
    ['1970-01-01', '2024-03-01']
    """
    return _calendar(idx, "M", "ns").view("datetime64[ns]")


_DAY_NS = 86_400 * 10**9


def latest_started(sc_rows, day_rows, sc, day) -> tuple[np.ndarray, np.ndarray]:
    """For each person code ``sc`` and day number ``day``, the row of the interval (person ``sc_rows``, start
    day ``day_rows``) most recently started on or before ``day``; the last such row when several started that
    day (as :func:`pandas.merge_asof` ``direction="backward"`` on the rows sorted by start).

    Returns ``(rows, ok)``: row numbers (0 where none) and whether one exists.

    Examples
    --------
    >>> rows, ok = latest_started([0, 0, 1, 0], [10, 20, 5, 20], [0, 0, 0, 1, 2], [9, 10, 25, 5, 30])
    >>> rows.tolist(), ok.tolist()
    ([0, 0, 3, 2, 0], [False, True, True, True, False])
    """
    sc_rows, day_rows = np.asarray(sc_rows, dtype=np.int64), np.asarray(day_rows, dtype=np.int64)
    sc, day = np.asarray(sc, dtype=np.int64), np.asarray(day, dtype=np.int64)
    rows, ok = _latest_started_key(sc_rows, day_rows, sc, (sc << _SHIFT) | (day + _OFFSET))
    return rows.astype(np.int64, copy=False), ok


def _latest_started_key(sc_rows: np.ndarray, day_rows: np.ndarray, sc: np.ndarray,
                        query: np.ndarray, query_sorted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`latest_started` with the (person, day) keys of the queries made by the caller (once for several
    interval tables). Row numbers are int32 when the intervals are fewer than 2**31 (half the memory).

    With ``query_sorted`` (the keys ascending, as the panel's pieces are), the position of each query among the
    sorted interval keys is read off where each interval key falls among the queries (:func:`_sorted_positions`):
    a search per interval instead of one per query."""
    key = (sc_rows << _SHIFT) | (day_rows + _OFFSET)
    order = np.argsort(key, kind="stable")
    if len(order) < 2**31:
        order = order.astype(np.int32)
    key = key[order]
    pos = _sorted_positions(key, query) if query_sorted else np.searchsorted(key, query, side="right") - 1
    del key
    ok = pos >= 0
    np.maximum(pos, 0, out=pos)
    rows = order[pos]
    del pos
    ok &= sc_rows[rows] == sc
    rows[~ok] = 0
    return rows, ok


def _sorted_positions(key: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``np.searchsorted(key, query, side="right") - 1`` for ascending ``key`` and ascending ``query``: how many
    keys are at most each query, less one, from one search per key among the queries (int32 when the keys are
    fewer than 2**31 - 1).

    Examples
    --------
    >>> key, query = np.array([3, 5, 5, 9]), np.array([1, 3, 4, 5, 5, 8, 9, 12])
    >>> _sorted_positions(key, query).tolist()
    [-1, 0, 0, 2, 2, 2, 3, 3]
    >>> bool((_sorted_positions(key, query) == np.searchsorted(key, query, side="right") - 1).all())
    True
    """
    first = np.searchsorted(query, key, side="left")       # the first query at or after each key
    counts = np.diff(first, prepend=0, append=len(query))  # queries with exactly j keys at or below them
    kind = np.int32 if len(key) < 2**31 - 1 else np.int64
    return np.repeat(np.arange(-1, len(key), dtype=kind), counts)


def _context(org, sc: np.ndarray, day: np.ndarray, codes: dict | None = None) -> dict:
    """``position_id``, ``program_id``, ``role_kind`` and ``supervisor_id`` of person codes ``sc`` on day numbers
    ``day`` (object arrays): see :func:`attach_context`. With ``codes`` (a dict), also each column's
    :func:`column_codes` into the sorted distinct values of the seat and supervision tables (a superset of the
    values taken), worked out on those small tables."""
    n = len(sc)
    out = {}
    sc, day = np.asarray(sc, dtype=np.int64), np.asarray(day, dtype=np.int64)
    # the same (person, day) keys for seats and supervision: ``(sc << _SHIFT) | (day + _OFFSET)``, whose low bits
    # are free for the day, made as a sum in one array (no full-length temporaries)
    query = np.left_shift(sc, _SHIFT)
    query += day
    query += _OFFSET
    ascending = bool(len(query) < 2 or (query[1:] >= query[:-1]).all())
    af = org.assignment_frame
    if len(af):
        jj, ok = _latest_started_key(staff_codes(org, af["staff_id"]), day_number(af["start"]), sc, query,
                                     ascending)
        for col in ("position_id", "program_id"):
            out[col] = _ids_taken(af[col].to_numpy(dtype=object), jj, ok, codes, col)
        small = af["role_kind"].to_numpy(dtype=object).copy()
        small[pd.isna(small)] = "other"                 # no role kind: "other", worked out on the seats
        if codes is None:
            rk = small[jj]
            rk[~ok] = "other"
        else:
            c, uniq = pd.factorize(np.append(small, "other").astype(object), sort=True)
            uniq = np.asarray(uniq, dtype=object)
            codes["role_kind"] = (_where_taken(ok, c[:-1], jj, c[-1]), uniq)
            rk = uniq[codes["role_kind"][0]]            # from the few distinct values: every row has one
        out["role_kind"] = rk
    else:
        out["position_id"], out["program_id"] = (np.full(n, None, dtype=object) for _ in range(2))
        out["role_kind"] = np.full(n, "other", dtype=object)
        if codes is not None:
            codes["role_kind"] = (np.zeros(n, dtype=np.int32), np.array(["other"], dtype=object))
            codes["position_id"] = codes["program_id"] = (np.full(n, -1), np.array([], dtype=object))
    sv = org.supervision_frame
    if not len(sv):
        out["supervisor_id"] = np.full(n, None, dtype=object)
        if codes is not None:
            codes["supervisor_id"] = (np.full(n, -1), np.array([], dtype=object))
    else:
        jj, ok = _latest_started_key(staff_codes(org, sv["staff_id"]), day_number(sv["start"]), sc, query,
                                     ascending)
        del query
        ok &= day_number(sv["end"])[jj] > day
        out["supervisor_id"] = _ids_taken(sv["supervisor_id"].to_numpy(dtype=object), jj, ok, codes,
                                          "supervisor_id")
    return out


def _ids_taken(small: np.ndarray, rows: np.ndarray, ok: np.ndarray, codes: dict | None, col: str) -> np.ndarray:
    """``small[rows]``, ``None`` where not ``ok`` (an object array); with ``codes`` (a dict), also ``codes[col]``:
    the codes of those values into the sorted distinct values of ``small`` (-1 for none).

    With the codes and no missing value in ``small``, the values are gathered from its few distinct values
    (they are the same objects), which is quicker than from ``small`` itself.

    Examples
    --------
    >>> small = np.array(["b", "a", "b"], dtype=object)
    >>> codes = {}
    >>> _ids_taken(small, np.array([2, 0, 1]), np.array([True, False, True]), codes, "x").tolist()
    ['b', None, 'a']
    >>> codes["x"][0].tolist(), codes["x"][1].tolist()
    ([1, -1, 0], ['a', 'b'])
    """
    if codes is not None:
        c, uniq = pd.factorize(small, sort=True)
        uniq = np.asarray(uniq, dtype=object)
        codes[col] = (_where_taken(ok, c, rows), uniq)
        if not pd.isna(small).any():                    # code -1 reads the appended None
            return np.append(uniq, None)[codes[col][0]]
    vals = small[rows]
    vals[~ok] = None
    return vals


def _where_taken(ok: np.ndarray, small: np.ndarray, rows: np.ndarray, missing: int = -1) -> np.ndarray:
    """``np.where(ok, small[rows], missing)`` as int32 codes, without full-length int64 temporaries.

    Examples
    --------
    >>> _where_taken(np.array([True, False, True]), np.array([7, 8, 9]), np.array([2, 0, 0])).tolist()
    [9, -1, 7]
    """
    out = small.astype(np.int32)[rows]
    out[~ok] = missing
    return out


def _remember_codes(pt: pd.DataFrame, codes: dict) -> None:
    """Keep ``codes`` (column -> (codes, sorted values)) as the panel's :func:`column_codes` while it lives."""
    for col, (c, uniq) in codes.items():
        c = np.asarray(c).astype(np.int32, copy=False)     # compact: kept as long as the panel
        try:
            ref = weakref.ref(pt, lambda _, k=(id(pt), col): _CODES.pop(k, None))
        except TypeError:
            return
        _CODES[(id(pt), col)] = (ref, c, uniq)


def _whole_days(values: np.ndarray) -> bool:
    v = np.asarray(values).astype("datetime64[ns]").astype(np.int64)
    return bool((v % _DAY_NS == 0).all())


def _latest_started(org, left: pd.DataFrame, intervals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``left`` (``ref``, ``sc``), the row number in ``intervals`` (sorted by
    ``start``) of that person's interval most recently started on or before ``ref``.

    Returns ``(jj, ok)``: row numbers (0 where none) and whether one exists.
    """
    right = pd.DataFrame({"start": _ns(intervals["start"]).to_numpy(), "sc": staff_codes(org, intervals["staff_id"]),
                          "j": np.arange(len(intervals))})
    j = pd.merge_asof(left, right, left_on="ref", right_on="start", by="sc", direction="backward")["j"]
    return j.fillna(0).astype(np.int64).to_numpy(), j.notna().to_numpy().copy()


def attach_context(org, df: pd.DataFrame) -> pd.DataFrame:
    """Add ``position_id``, ``program_id``, ``role_kind`` and ``supervisor_id`` on each row's ``ref`` day.

    The seat is the one most recently taken up on or before ``ref``; the
    supervisor is the one whose supervision covers ``ref``. Returns a copy
    sorted by ``ref``.
    """
    pm = df.assign(ref=_ns(df["ref"]))
    if "sc" not in pm.columns:
        pm["sc"] = staff_codes(org, pm["staff_id"])
    pm = pm.sort_values(["ref", "sc"], kind="stable", ignore_index=True)
    ref = pm["ref"].to_numpy()
    if _whole_days(ref) and all(_whole_days(f[c].to_numpy()) for f, cols in
                                ((org.assignment_frame, ("start",)), (org.supervision_frame, ("start", "end")))
                                for c in cols):
        ctx = _context(org, pm["sc"].to_numpy(), day_number(ref))   # whole days: binary search on day numbers
        for col, vals in ctx.items():
            pm[col] = pd.Series(vals, index=pm.index, dtype=object)
        return pm
    # times of day: merge_asof on narrow integer frames, then take the wanted columns by row number (object
    # columns are expensive to carry through a merge)
    left = pd.DataFrame({"ref": ref, "sc": pm["sc"].to_numpy()})
    af = org.assignment_frame
    n = len(pm)
    if len(af):
        seats = af.sort_values("start", kind="stable")
        jj, ok = _latest_started(org, left, seats)
        for col in ("position_id", "program_id", "role_kind"):
            vals = seats[col].to_numpy(dtype=object)[jj]
            vals[~ok] = None
            pm[col] = pd.Series(vals, index=pm.index, dtype=object)
    else:
        pm["position_id"] = pm["program_id"] = pm["role_kind"] = np.full(n, None, dtype=object)
    pm["role_kind"] = pm["role_kind"].fillna("other")
    sv = org.supervision_frame
    sup_ids = np.full(n, None, dtype=object)
    if len(sv):
        sup = sv.sort_values("start", kind="stable")
        jj, ok = _latest_started(org, left, sup)
        ends = _ns(sup["end"]).to_numpy()[jj]
        ok = ok & (ends > left["ref"].to_numpy())
        sup_ids = sup["supervisor_id"].to_numpy(dtype=object)[jj]
        sup_ids[~ok] = None
    pm["supervisor_id"] = pd.Series(sup_ids, index=pm.index, dtype=object)
    return pm


def person_time(org, cut=None) -> pd.DataFrame:
    """The person-time panel: one row per piece of employment with constant context.

    Parameters
    ----------
    org : OrgGraph
    cut : Timestamp, optional
        First day not analysed (:func:`orgraph.settings.analysis_cut`); default
        the day after the data end.

    Returns
    -------
    DataFrame
        Shared by every analysis of the org (built once per cut): read it, never change it.
        Sorted by person and start, one row per piece: ``staff_id``, ``sc``
        (integer code of the person, int32), ``start``, ``end`` (half-open),
        ``risk_start`` (``start``, or ``end`` for pieces before the export can
        show an exit), ``days`` (days at risk: ``end - risk_start``), ``exit``
        (the person's last day is the piece's last day), ``mi`` (month index, int32),
        ``year`` (int16), ``band`` (tenure band index, int8), ``position_id``,
        ``program_id``, ``role_kind`` (of the seat most recently taken up on
        ``start``; ``"other"`` when none) and ``supervisor_id`` (covering
        ``start``; ``None`` when none). Pieces start at the later of hire and
        the first day of data and end at the person's exit or the cut.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> pt = person_time(example_org())
    >>> c1 = pt[pt.staff_id == "C1"]
    >>> int(c1.days.sum()), int(c1.exit.sum()), sorted(set(c1.supervisor_id.dropna()))
    (505, 1, ['S1'])
    >>> bool((pt.groupby("staff_id")["exit"].sum() <= 1).all())
    True
    """
    cut = pd.Timestamp(org.censor if cut is None else cut)
    return cached(org, f"person_time:{cut.date()}", lambda: _earlier_or_new(org, cut), copy=False)


def _earlier_or_new(org, cut: pd.Timestamp) -> pd.DataFrame:
    """The panel for ``cut``: cut from a panel already built for a later day with the same export-window start
    (:func:`cut_panel`), else built."""
    store = shared.tables_of(org)
    later = sorted(k for k in (store or {}) if k.startswith("person_time:") and k[12:] > str(cut.date()))
    if later:
        obs0 = observed_from(org, cut)
        if observed_from(org, pd.Timestamp(later[0][12:])) == obs0:
            return cut_panel(store[later[0]], cut, obs0)
    return _person_time(org, cut)


def _is_weakrefable(org) -> bool:
    try:
        weakref.ref(org)
    except TypeError:
        return False
    return True


def cut_panel(pt: pd.DataFrame, cut, obs0) -> pd.DataFrame:
    """The person-time panel ``pt`` (built for a later cut, with the export window starting on ``obs0``) as
    it would be built for ``cut``.

    Every day at which the panel for ``cut`` cuts a person's time is a day at which the later panel cuts it
    too, or ``cut`` itself: its pieces are the later panel's pieces that start before ``cut``, ended at
    ``cut``; an exit counts when its piece ends by ``cut``.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> cut = pd.Timestamp("2022-04-01")
    >>> early = cut_panel(person_time(org), cut, observed_from(org, cut))
    >>> early.equals(_person_time(org, cut))
    True
    """
    cut_ns = np.datetime64(pd.Timestamp(cut).as_unit("ns").to_datetime64(), "ns")
    obs_ns = np.datetime64(pd.Timestamp(obs0).as_unit("ns").to_datetime64(), "ns")
    rows = np.flatnonzero(pt["start"].to_numpy() < cut_ns)
    remade = ("end", "risk_start", "days", "exit")
    cols = {c: None if c in remade else pt[c].to_numpy()[rows] for c in pt.columns}   # one gather per column kept
    old_end = pt["end"].to_numpy()[rows]
    cols["exit"] = pt["exit"].to_numpy()[rows] & (old_end <= cut_ns)
    end = np.minimum(old_end, cut_ns, out=old_end)
    risk_start = np.minimum(np.maximum(cols["start"], obs_ns), end)
    days = end.view(np.int64) - risk_start.view(np.int64)
    days //= _DAY_NS
    cols.update(end=end, risk_start=risk_start, days=days)
    out = _frame(cols)
    _remember_codes(out, {col: (hit[1][rows], hit[2]) for col in ("position_id", "program_id", "role_kind",
                                                                     "supervisor_id")
                          if (hit := _CODES.get((id(pt), col))) is not None and hit[0]() is pt})
    return out


def _frame(columns: dict) -> pd.DataFrame:
    """A frame holding the arrays ``columns`` themselves, one block per column (no consolidating copy); object
    arrays stay object columns without pandas inspecting every value for a better type (which allocates several
    full-length arrays per column).

    Examples
    --------
    >>> ids = np.array(["a", None, "b"], dtype=object)
    >>> f = _frame({"n": np.arange(3), "id": ids})
    >>> f.dtypes.astype(str).tolist(), np.shares_memory(f["id"].to_numpy(), ids)
    (['int64', 'object'], True)
    """
    n = len(next(iter(columns.values()))) if columns else 0
    index = pd.RangeIndex(n)
    return pd.DataFrame({col: pd.Series(v, index=index, dtype=object, copy=False) if v.dtype == object else v
                         for col, v in columns.items()}, copy=False)


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys)`` for integer keys, by one sort (faster than numpy's hashing for tens of millions): a
    stable sort, which merges the sorted runs the keys are built from (per person, in day order) instead of
    sorting them afresh.

    Examples
    --------
    >>> _sorted_unique(np.array([5, 1, 5, 3, 1])).tolist()
    [1, 3, 5]
    """
    s = np.sort(keys, kind="stable")
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _person_time(org, cut: pd.Timestamp) -> pd.DataFrame:
    sf = org.staff_frame
    obs0 = int(day_number([observed_from(org, cut)])[0])
    cut_d = int(day_number([cut])[0])
    hire = day_number(sf["hire"])
    s0 = np.maximum(hire, int(day_number([pd.Timestamp(org.data_start)])[0]))
    ex = sf["exit"]
    exited = (ex.notna() & (ex < cut)).to_numpy()
    e0 = np.where(exited, day_number(ex.fillna(cut)) + 1, cut_d)
    e0 = np.minimum(e0, cut_d)
    keep = (e0 > s0) & ~sf["external"].fillna(False).astype(bool).to_numpy()   # external managers: no person-time
    sc_all = np.arange(len(sf), dtype=np.int64)
    sc_k, s_k, e_k = sc_all[keep], s0[keep], e0[keep]

    # candidate cut points as (person code, day) keys, each part kept to the days inside its person's span as it
    # is made (no concatenated code and day arrays masked afterwards)
    hire_k = hire[keep]
    base = sc_k << _SHIFT
    lo, hi = s0.copy(), e0.copy()
    lo[~keep], hi[~keep] = 1, 0                         # dropped people: an empty span
    keys = [base | (s_k + _OFFSET), base | (e_k + _OFFSET)]
    m0 = _months(s_k)
    n = (_months(e_k - 1) - m0).astype(np.int64)        # month starts strictly after s0 (all inside the span)
    if len(n) and n.sum():
        # month m0[k] + 1 + j is the j-th month start of person k: the i-th candidate overall is entry
        # i + (m0[k] + 1 - first[k] - lo) of a table of month starts from month lo (first[k]: k's first entry)
        lo_m = int(m0.min()) + 1
        months = np.arange(lo_m, int((m0 + n).max()) + 1, dtype=np.int64)
        table = _calendar(months, "M", "D") + _OFFSET
        where = np.arange(n.sum(), dtype=np.int64)
        where += np.repeat(m0 + 1 - (np.cumsum(n) - n) - lo_m, n)
        keys.append(np.repeat(base, n) | table[where])
        del months, table, where
    for d in [hire_k + edge for edge in _BAND[1:]] + [np.full(len(sc_k), obs0, dtype=np.int64)]:
        ok = (d >= s_k) & (d <= e_k)
        keys.append(base[ok] | (d[ok] + _OFFSET))
    for frame in (org.assignment_frame, org.supervision_frame):
        if len(frame):
            codes = staff_codes(org, frame["staff_id"])
            known = codes >= 0
            codes = codes[known]
            for col in ("start", "end"):
                d = day_number(frame[col])[known]
                ok = (d >= lo[codes]) & (d <= hi[codes])
                keys.append((codes[ok] << _SHIFT) | (d[ok] + _OFFSET))
    del base, lo, hi
    key = _sorted_unique(np.concatenate(keys))
    del keys
    ksc = key >> _SHIFT
    kday = (key & ((1 << _SHIFT) - 1)) - _OFFSET
    del key
    nxt = ksc[1:] == ksc[:-1]                            # a key followed by one of the same person: a piece
    psc, start, end = ksc[:-1][nxt], kday[:-1][nxt], kday[1:][nxt]
    del ksc, kday, nxt

    # the panel's columns, each integer temporary dropped once the columns made from it are done (the panel is
    # the audit's largest table: its build should not hold it twice)
    cols: dict = {}
    risk_start = np.minimum(np.maximum(start, obs0), end)
    cols["days"] = end - risk_start                     # int64 already
    cols["risk_start"] = from_day_number(risk_start)
    del risk_start
    cols["exit"] = exited[psc] & (end == e0[psc])
    cols["end"] = from_day_number(end)
    del end
    mi = _months(start)
    cols["mi"] = mi.astype(np.int32)
    cols["year"] = (mi // 12 + 1970).astype(np.int16)  # whole years since 1970 of the month numbers
    del mi
    tenure = start - hire[psc]
    cols["band"] = _band_of(tenure)
    del tenure
    cols["start"] = from_day_number(start)
    frames = (org.assignment_frame, ("start",)), (org.supervision_frame, ("start", "end"))
    if all(_whole_days(f[c].to_numpy()) for f, cols_ in frames for c in cols_):
        codes: dict | None = {}
        ctx = _context(org, psc, start, codes)          # the pieces are in (person, start) order already
    else:                                               # times of day: attach_context's merge_asof
        ref = pd.DataFrame({"sc": psc, "ref": cols["start"], "i": np.arange(len(psc))})
        c = attach_context(org, ref).sort_values("i", kind="stable")
        ctx = {col: c[col].to_numpy() for col in ("position_id", "program_id", "role_kind", "supervisor_id")}
        del ref, c
        codes = None
    del start
    cols["staff_id"] = sf["staff_id"].to_numpy(dtype=object)[psc]
    cols["sc"] = psc.astype(np.int32)                   # codes and months: 32 bits (keys widen them first)
    del psc
    order = ("staff_id", "sc", "start", "end", "risk_start", "days", "exit", "mi", "year", "band")
    pt = _frame({**{col: cols.pop(col) for col in order}, **ctx})
    if codes:
        _remember_codes(pt, codes)
    return pt


def _band_of(tenure: np.ndarray) -> np.ndarray:
    """Tenure band index (int8) of days since hire: how many of the band edges after the first are at most
    ``tenure`` (band 0 before hire too).

    Examples
    --------
    >>> t = np.array([-5, 0, 181, 182, 364, 365, 729, 730, 5000])
    >>> _band_of(t).tolist()
    [0, 0, 0, 1, 1, 2, 2, 3, 3]
    >>> bool((_band_of(t) == np.clip(np.searchsorted(_BAND, t, side="right") - 1, 0, len(_BAND) - 1)).all())
    True
    """
    band = np.zeros(len(tenure), dtype=np.int8)
    for edge in _BAND[1:]:
        band += tenure >= edge
    return band


def _months(days: np.ndarray) -> np.ndarray:
    return _calendar(days, "D", "M")


def overlap(pt: pd.DataFrame, sc, start, end) -> pd.DataFrame:
    """The days at risk that each window ``[start, end)`` of person ``sc`` shares with each piece.

    Parameters
    ----------
    pt : DataFrame
        :func:`person_time`.
    sc, start, end : array-like
        Person codes and half-open windows (datetimes), one per row.

    Returns
    -------
    DataFrame
        ``row`` (the window's position), ``piece`` (row of ``pt``) and
        ``days`` (> 0), one row per window and piece that share a day at risk.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> pt = person_time(org)
    >>> o = overlap(pt, staff_codes(org, ["C1"]), pd.to_datetime(["2020-01-01"]), pd.to_datetime(["2020-12-31"]))
    >>> int(o["days"].sum()) <= 365
    True
    """
    sc = np.asarray(sc, dtype=np.int64)
    ws, we = day_number(start), day_number(end)
    first, last = _panel_person_rows(pt, sc)
    lo = _search_within(pt["end"].to_numpy(), first, last, ws, side="right")     # first piece ending after ws
    hi = _search_within(pt["start"].to_numpy(), first, last, we, side="left")    # first piece starting at we
    n = np.clip(hi - lo, 0, None)
    row = np.repeat(np.arange(len(sc)), n)
    piece = lo[row] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    p_end = day_number(pt["end"].to_numpy()[piece])     # the day numbers of the pieces met only
    p_start = day_number(pt["risk_start"].to_numpy()[piece])
    days = np.minimum(we[row], p_end) - np.maximum(ws[row], p_start)
    ok = days > 0
    return pd.DataFrame({"row": row[ok], "piece": piece[ok], "days": days[ok]})


def _person_rows(codes: np.ndarray, sc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``[first, last)`` of each person code ``sc`` in the ascending person codes ``codes`` of a panel
    (empty, where the person would be, for a person without pieces).

    Examples
    --------
    >>> [x.tolist() for x in _person_rows(np.array([0, 0, 2, 2, 2], dtype=np.int32), np.array([2, 1, -1, 0]))]
    [[2, 2, 0, 0], [5, 2, 0, 2]]
    """
    return np.searchsorted(codes, sc, side="left"), np.searchsorted(codes, sc, side="right")


def _panel_person_rows(pt: pd.DataFrame, sc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_person_rows` of the panel's ``sc`` column, read off how many pieces each person code has (counted
    once per shared panel) instead of two binary searches per person among all the pieces.

    Examples
    --------
    >>> pt = pd.DataFrame({"sc": np.array([0, 0, 2, 2, 2], dtype=np.int32)})
    >>> [x.tolist() for x in _panel_person_rows(pt, np.array([2, 1, -1, 0, 3, 9, -5]))]
    [[2, 2, 0, 0, 5, 5, 0], [5, 2, 0, 2, 5, 5, 0]]
    """
    below = _per_panel(pt, "pieces_below", lambda: _pieces_below(pt["sc"].to_numpy()))
    top = len(below) - 2                                # codes -1 .. top + 1 index ``below`` at code + 1
    first = below[np.clip(sc, -1, top) + 1]
    last = below[np.clip(sc + 1, -1, top) + 1]
    return first, last


def _pieces_below(codes: np.ndarray) -> np.ndarray:
    """How many of the ascending non-negative person ``codes`` are below each code -1, 0, .., max + 1 (at
    position code + 1), as int64."""
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return np.concatenate([np.zeros(2, dtype=np.int64), np.cumsum(counts, dtype=np.int64)])


def _search_within(values: np.ndarray, first: np.ndarray, last: np.ndarray, day: np.ndarray,
                   side: str) -> np.ndarray:
    """``first + np.searchsorted(day_number(values[first:last]), day, side)`` for each row: a binary search of
    whole-day numbers inside each person's rows (``values``: datetimes, ascending within every person), all
    searches stepped together, reading the values met only.

    Examples
    --------
    >>> v = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-01-15", "2020-03-01"]).to_numpy()
    >>> d = day_number(pd.to_datetime(["2020-02-01", "2020-02-01", "2020-02-10"]))
    >>> _search_within(v, np.array([0, 0, 2]), np.array([2, 2, 4]), d, side="left").tolist()
    [1, 1, 3]
    >>> _search_within(v, np.array([0, 0, 2]), np.array([2, 2, 4]), d, side="right").tolist()
    [2, 2, 3]
    """
    lo, hi = np.array(first, dtype=np.int64), np.array(last, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    active = np.flatnonzero(lo < hi)
    while len(active):
        a, b = lo[active], hi[active]
        mid = (a + b) // 2
        v = day_number(values[mid])
        right = v <= day[active] if side == "right" else v < day[active]
        lo[active] = np.where(right, mid + 1, a)
        hi[active] = np.where(right, b, mid)
        active = active[lo[active] < hi[active]]
    return lo


_CODES: dict = {}


def column_codes(pt: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of an id column of a (shared, read-only) panel into its sorted distinct values (-1 for none),
    worked out once per panel object and column: every rate of an audit groups by them.

    Examples
    --------
    >>> codes, values = column_codes(pd.DataFrame({"r": ["b", None, "a", "b"]}), "r")
    >>> codes.tolist(), values.tolist()
    ([1, -1, 0, 1], ['a', 'b'])
    """
    hit = _CODES.get((id(pt), col))
    if hit is not None and hit[0]() is pt:
        return hit[1], hit[2]
    codes, uniq = pd.factorize(pt[col].to_numpy(dtype=object), sort=True)
    codes, uniq = codes.astype(np.int32), np.asarray(uniq, dtype=object)
    try:
        ref = weakref.ref(pt, lambda _, k=(id(pt), col): _CODES.pop(k, None))
    except TypeError:
        return codes, uniq
    _CODES[(id(pt), col)] = (ref, codes, uniq)
    return codes, uniq


def _role_codes(pt: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return column_codes(pt, "role_kind")


def _stratum_cells(pt: pd.DataFrame) -> tuple[np.ndarray, int, int, np.ndarray]:
    """Each piece's stratum cell, ``(role kind code * n_year + year - y0) * 4 + band`` (-1 for a piece with no
    role kind), with ``y0`` and ``n_year`` (the panel's first year and number of years) and the sorted role
    kinds (:func:`column_codes`): worked out once per (shared, read-only) panel, so that each sum by stratum
    or rate per piece reads one code per piece instead of working out its role kind, year and band.

    Examples
    --------
    >>> pt = pd.DataFrame({"role_kind": ["b", None, "a"], "year": np.array([2021, 2020, 2022], dtype=np.int16),
    ...                    "band": np.array([3, 0, 1], dtype=np.int8)})
    >>> cell, y0, n_year, roles = _stratum_cells(pt)
    >>> cell.tolist(), y0, n_year, roles.tolist()
    ([19, -1, 9], 2020, 3, ['a', 'b'])
    """
    def build():
        codes, uniq = _role_codes(pt)
        year = pt["year"].to_numpy()
        if not len(year):
            return np.zeros(0, dtype=np.int32), 0, 1, uniq
        y0 = int(year.min())
        n_year = int(year.max()) - y0 + 1
        n_band = len(_BAND)
        cell = codes.astype(np.int32 if max(len(uniq), 1) * n_year * n_band < 2**31 else np.int64)
        cell *= n_year
        cell += year
        cell -= y0
        cell *= n_band
        cell += pt["band"].to_numpy()
        cell[codes < 0] = -1
        return cell, y0, n_year, uniq

    return _per_panel(pt, "stratum_cells", build)


def _bands_wide(pt: pd.DataFrame, rows: np.ndarray, values: np.ndarray | None) -> pd.DataFrame:
    """Sums of ``values`` on the rows ``rows`` of ``pt`` (row numbers, or a boolean mask: quicker to take, in
    the same order) by (role kind, year) x tenure band, or with ``values=None`` the number of rows: the
    (role kind, year) pairs present, sorted, as rows; bands 0..3 as columns (0.0 where none). Summed by a
    bincount of the pieces' :func:`_stratum_cells`, in the pieces' order."""
    cols = list(range(len(_BAND)))
    cells, y0, n_year, uniq = _stratum_cells(pt)
    cell = cells[rows].astype(np.intp)                  # one conversion for the bincounts below
    values = None if values is None else np.asarray(values, dtype=float)
    ok = cell >= 0                                      # no role kind: no stratum (as groupby drops it)
    if not ok.all():
        cell = cell[ok]
        values = None if values is None else values[ok]
    if not len(cell):
        index = pd.MultiIndex.from_arrays([np.array([], dtype=object), np.array([], dtype=np.int64)],
                                          names=["role_kind", "year"])
        return pd.DataFrame(np.zeros((0, len(cols))), index=index, columns=cols)
    n_pair = len(uniq) * n_year
    counts = np.bincount(cell, minlength=n_pair * len(cols))
    if values is None:
        sums = counts.astype(float)                     # counts: the sums of ones, exactly
    else:
        sums = np.bincount(cell, weights=values, minlength=n_pair * len(cols))
    del cell
    present = np.flatnonzero(counts.reshape(n_pair, len(cols)).any(axis=1))
    index = pd.MultiIndex.from_arrays([uniq[present // n_year], (present % n_year + y0).astype(np.int64)],
                                      names=["role_kind", "year"])
    return pd.DataFrame(sums.reshape(n_pair, len(cols))[present], index=index, columns=cols)


def stratum_days(pt: pd.DataFrame, mask=None, *, pieces=None, days=None) -> pd.DataFrame:
    """Days at risk by (role kind, calendar year) x tenure band.

    Either of the pieces where ``mask`` is true, or of ``days`` on the rows
    ``pieces`` of ``pt`` (an :func:`overlap`). Those of every piece are worked
    out once per (shared, read-only) panel: each call gets its own copy.
    """
    if pieces is not None:
        return _bands_wide(pt, np.asarray(pieces, dtype=np.int64), np.asarray(days, dtype=float))
    if mask is None:
        return _per_panel(pt, "stratum_days", lambda: _stratum_days(pt, None)).copy()
    return _stratum_days(pt, mask)


def _stratum_days(pt: pd.DataFrame, mask) -> pd.DataFrame:
    d = pt["days"].to_numpy()
    ok = d > 0
    if mask is not None:
        ok &= np.asarray(mask, dtype=bool)
    return _bands_wide(pt, ok, d[ok].astype(float))


def stratum_exits(pt: pd.DataFrame, mask=None) -> pd.DataFrame:
    """Exits at risk (pieces ending in an exit, inside the export window) by (role kind, year) x tenure band."""
    ok = pt["days"].to_numpy() > 0
    ok &= pt["exit"].to_numpy()
    if mask is not None:
        ok &= np.asarray(mask, dtype=bool)
    return _bands_wide(pt, ok, None)


_PANEL_MEMO: dict = {}


def _per_panel(pt: pd.DataFrame, name: str, build):
    """``build()`` once per panel object and ``name``, kept while the panel lives (built afresh each call for a
    frame that cannot be weakly referenced).

    Examples
    --------
    >>> pt, calls = pd.DataFrame({"a": [1]}), []
    >>> _per_panel(pt, "n", lambda: calls.append(1) or 5), _per_panel(pt, "n", lambda: 6), len(calls)
    (5, 5, 1)
    """
    key = (id(pt), name)
    hit = _PANEL_MEMO.get(key)
    if hit is not None and hit[0]() is pt:
        return hit[1]
    value = build()
    try:
        ref = weakref.ref(pt, lambda _, k=key: _PANEL_MEMO.pop(k, None))
    except TypeError:
        return value
    _PANEL_MEMO[key] = (ref, value)
    return value


def standard_rates(days: pd.DataFrame, exits: pd.DataFrame) -> pd.DataFrame:
    """Exit rates per day at risk by (role kind, year) x tenure band, thin cells pooled
    (:func:`~orgraph.analyses.exposure.band_rates`)."""
    if not len(days):
        return days
    return band_rates(days, exits.reindex(index=days.index, columns=days.columns, fill_value=0))


def piece_rates(pt: pd.DataFrame, rates: pd.DataFrame) -> np.ndarray:
    """Each piece's standard exit rate per day: the rate of its role kind, calendar year and tenure band."""
    if not len(rates) or not len(pt):
        return np.zeros(len(pt))
    cells, y0, n_year, uniq = _stratum_cells(pt)
    r_role = pd.Index(uniq).get_indexer(rates.index.get_level_values(0))
    r_year = rates.index.get_level_values(1).to_numpy()
    r = rates.to_numpy(dtype=float)
    r = np.where(np.isnan(r), 0.0, r)
    n_band = r.shape[1]
    flat = np.append(r.ravel(), np.zeros(n_band))       # a last row of zeros: pieces without a rate
    # the rates' row of each (role kind, year) of the panel (the zero row where there is none), then the
    # position in ``flat`` of each stratum cell, and a last entry for the cell -1 (no role kind)
    row = np.full(len(uniq) * n_year, len(r), dtype=np.int64)
    known = (r_role >= 0) & (r_year >= y0) & (r_year < y0 + n_year)
    row[r_role[known] * n_year + (r_year[known] - y0)] = np.flatnonzero(known)
    n_cell = len(_BAND)
    where = np.append(np.repeat(row * n_band, n_cell) + np.tile(np.arange(n_cell), len(row)), len(r) * n_band)
    return flat[where[cells]]
