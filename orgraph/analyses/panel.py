"""The monthly person-time panel and the helpers every monthly analysis shares.

:func:`person_months` sums the person-time panel
(:func:`~orgraph.analyses.persontime.person_time`) to one row per person per calendar month employed,
with the days at risk, the exit, and the seat, program and supervisor on the
first day at risk; :func:`caseload_runs` gives each caseload record with its
month's percentile cut-off and the length of the above-cut-off run it ends.
Both are built once per org and reused by caseload, documentation, departures,
risk and the scenarios. The small helpers turn staff ids and months into
integer keys for fast vectorised joins.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..plain import jsonable
from ..settings import resolve
from ..stats import rate_ratio, rate_ratios
from .persontime import (_ns, _remember_codes, attach_context, cached, column_codes, month_index, month_start,
                         person_time, staff_codes)

__all__ = ["person_months", "caseload_runs", "setting_of", "records", "staff_codes", "month_key", "take", "row_of",
           "month_index", "month_start", "per_year", "rounded", "rate_record", "rate_records", "cached",
           "exposure_rate_ratio", "attach_context", "rows_where", "DAYS_PER_YEAR"]

DAYS_PER_YEAR = 365.25
_MONTH_BASE = 100_000           # month_key: code * _MONTH_BASE + month index
_DAY_OFFSET = 80_000            # days: keeps day numbers from 1900 on positive


def setting_of(org, section: str, key: str, value=None):
    """One setting: ``value`` if given, else the org's, else the default (see :func:`orgraph.settings.resolve`)."""
    return resolve(org, section, **{key: value})[key]


_PLAIN = {str, int, bool, type(None)}


def records(df: pd.DataFrame) -> list[dict]:
    """A DataFrame as a list of JSON-ready dicts (:func:`~orgraph.plain.jsonable` of every value).

    Converted a column at a time: numpy numbers and booleans go straight to Python values (NaN and
    infinities to ``None``), and only other columns go through ``jsonable`` value by value.

    Examples
    --------
    >>> records(pd.DataFrame({"a": [1, 2], "x": [0.5, np.nan], "d": pd.to_datetime(["2024-01-02", None])}))
    [{'a': 1, 'x': 0.5, 'd': '2024-01-02'}, {'a': 2, 'x': None, 'd': None}]
    """
    if not len(df.columns):
        return [{} for _ in range(len(df))]
    columns = []
    for k in range(df.shape[1]):
        s = df.iloc[:, k]
        kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else None
        if kind == "f":
            vals = s.tolist()
            columns.append(vals if bool(np.isfinite(s.to_numpy()).all()) else
                           [x if math.isfinite(x) else None for x in vals])
        elif kind is not None and kind in "biu":
            columns.append(s.tolist())
        elif kind == "M":               # datetimes: the day's ISO text (as jsonable of a Timestamp), NaT as None
            columns.append(_iso_days(s.to_numpy()))
        elif kind is not None:
            vals = s.tolist()
            plain = kind == "O" and set(map(type, vals)) <= _PLAIN     # ids and labels: jsonable keeps them as is
            columns.append(vals if plain else [jsonable(v) for v in vals])
        else:                           # extension dtypes: the values as to_dict gives them (pd.NA as None)
            columns.append([jsonable(next(iter(r.values()))) for r in df.iloc[:, [k]].to_dict("records")])
    keys = list(df.columns)
    return [dict(zip(keys, row)) for row in zip(*columns)]


def _iso_days(values: np.ndarray) -> list:
    """Each datetime64 value's calendar day as ISO text (``Timestamp.date().isoformat()``), ``None`` for NaT: one
    vectorised conversion instead of a Timestamp per value.

    Examples
    --------
    >>> _iso_days(np.array(["2024-01-02T13:45", "NaT", "1969-12-31T23:00"], dtype="datetime64[ns]"))
    ['2024-01-02', None, '1969-12-31']
    """
    days = values.astype("datetime64[D]")
    nat = np.isnat(days)
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[nat] = None
    odd = np.flatnonzero(~nat & ((days < _SAFE_DAYS[0]) | (days > _SAFE_DAYS[1])))
    for i in odd:                   # near the ends of the nanosecond range numpy's day rounding can wrap around
        text[i] = jsonable(pd.Timestamp(values[i]))
    return text.tolist()


_SAFE_DAYS = (np.datetime64("1678-01-01"), np.datetime64("2262-01-01"))


def month_key(codes, mi) -> np.ndarray:
    """One int64 key per (staff code, month index)."""
    return np.asarray(codes, dtype=np.int64) * _MONTH_BASE + np.asarray(mi, dtype=np.int64)


def row_of(left_key, right_key) -> np.ndarray:
    """Row of ``right_key`` (unique keys) equal to each ``left_key``; -1 where none.

    Integer keys are matched by one sort of ``right_key`` and a binary search (no hash table, no index object);
    other keys through :meth:`pandas.Index.get_indexer`.

    Raises
    ------
    pandas.errors.InvalidIndexError
        If ``right_key`` repeats a key.

    Examples
    --------
    >>> row_of(np.array([7, 3, 9, 3]), np.array([3, 5, 7])).tolist()
    [2, 0, -1, 0]
    """
    lk, rk = np.asarray(left_key), np.asarray(right_key)
    if not (_int_keys(lk) and _int_keys(rk)) or not len(rk) or not len(lk):
        return pd.Index(rk).get_indexer(lk)
    rk = rk.astype(np.int64, copy=False)
    lk = lk.astype(np.int64, copy=False)
    for base in (1, _MONTH_BASE):              # a dense table when the keys (or their person x month parts) are
        rows = _dense_row_of(lk, rk, base)     # compact: O(n), no sort, no hashing
        if rows is not None:
            return rows
    if len(rk) < 2 or bool((rk[1:] > rk[:-1]).all()):
        order, srt = None, rk
    else:
        order = np.argsort(rk, kind="stable")
        srt = rk[order]
        if bool((srt[1:] == srt[:-1]).any()):
            raise pd.errors.InvalidIndexError(_NOT_UNIQUE)
    pos = np.searchsorted(srt, lk)
    np.minimum(pos, len(srt) - 1, out=pos)
    hit = srt[pos] == lk
    rows = pos if order is None else order[pos]
    return np.where(hit, rows, -1)


_NOT_UNIQUE = "Reindexing only valid with uniquely valued Index objects"


def _dense_row_of(lk: np.ndarray, rk: np.ndarray, base: int) -> np.ndarray | None:
    """:func:`row_of` through a table of the keys of ``rk``: for each ``k // base`` (a person, for
    :func:`month_key`) the range of ``k % base`` (months) it spans in ``rk``, laid end to end; ``None`` when
    that table would be more than 4 times the number of keys (plus 65,536), or the high parts span more."""
    h0, h1 = int(rk.min()) // base, int(rk.max()) // base
    n_hi = h1 - h0 + 1
    limit = 4 * len(rk) + 65_536
    if n_hi > limit:
        return None
    hi, lo = np.divmod(rk, base)
    hi = hi - h0
    lo_min = np.full(n_hi, np.iinfo(np.int64).max, dtype=np.int64)
    lo_max = np.full(n_hi, -1, dtype=np.int64)
    np.minimum.at(lo_min, hi, lo)
    np.maximum.at(lo_max, hi, lo)
    width = np.where(lo_max >= 0, lo_max - lo_min + 1, 0)
    size = int(width.sum())
    if size > limit:
        return None
    first = np.cumsum(width) - width
    code = first[hi] + (lo - lo_min[hi])
    table = np.full(size, -1, dtype=np.int64)
    rows = np.arange(len(rk))
    table[code] = rows
    if bool((table[code] != rows).any()):
        raise pd.errors.InvalidIndexError(_NOT_UNIQUE)
    lhi, llo = np.divmod(lk, base)
    lhi -= h0
    ok = (lhi >= 0) & (lhi < n_hi)
    lhi[~ok] = 0
    ok &= (llo >= lo_min[lhi]) & (llo <= lo_max[lhi])
    return np.where(ok, table[np.where(ok, first[lhi] + (llo - lo_min[lhi]), 0)], -1)


def _int_keys(a: np.ndarray) -> bool:
    return a.dtype.kind == "i" or (a.dtype.kind == "u" and a.dtype.itemsize < 8)


def rows_where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` holds: ``frame`` itself when it holds on every row (no copy, and the
    codes remembered for a shared panel's columns stay with it), else a filtered copy. Read-only, like the
    shared panels it is used on.

    Examples
    --------
    >>> df = pd.DataFrame({"mi": [1, 2, 3]})
    >>> rows_where(df, df["mi"] <= 3) is df, rows_where(df, df["mi"] <= 2)["mi"].tolist()
    (True, [1, 2])
    """
    mask = np.asarray(mask, dtype=bool)
    return frame if mask.all() else frame[mask]


def take(left_key, right_key, values, fill=np.nan) -> np.ndarray:
    """``values`` of the row of ``right_key`` equal to each ``left_key`` (``fill`` where none); keys unique
    (:func:`row_of`).

    Examples
    --------
    >>> take(np.array([7, 3, 9]), np.array([3, 5, 7]), np.array([1.5, 2.5, 3.5])).tolist()
    [3.5, 1.5, nan]
    >>> take(np.array([7, 9]), np.array([3, 7]), np.array(["a", "b"], dtype=object), None).tolist()
    ['b', None]
    """
    idx = row_of(left_key, right_key)
    vals = np.asarray(values)
    if vals.dtype.kind in "biu" and not isinstance(fill, (int, np.integer)):
        vals = vals.astype(float)
    if vals.dtype.kind == "b" and isinstance(fill, (bool, np.bool_)):
        vals = vals.astype(bool)
    out = vals[np.where(idx >= 0, idx, 0)] if len(vals) else np.full(len(idx), fill, dtype=object)
    if len(vals):
        out = out.astype(object) if (vals.dtype == object or (fill is None)) else out
        out[idx < 0] = fill
    return out


def per_year(events: float, days: float):
    return None if not days else events / days * DAYS_PER_YEAR


def rounded(x, nd=4):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def rate_record(events_a, days_a, events_b, days_b, *, label_a: str, label_b: str) -> dict:
    """:func:`orgraph.stats.rate_ratio` plus annual rates and labels, JSON-ready."""
    return _rate_record(rate_ratio(int(events_a), float(days_a), int(events_b), float(days_b)), events_a, days_a,
                        events_b, days_b, label_a, label_b)


def rate_records(events_a, days_a, events_b, days_b, *, labels_a, label_b: str) -> list[dict]:
    """:func:`rate_record` for many groups at once (the tests run on arrays: :func:`orgraph.stats.rate_ratios`).

    Examples
    --------
    >>> [r["rate_ratio"] for r in rate_records([2, 0], [730.5, 365.25], [1, 3], [730.5, 1095.75],
    ...                                        labels_a=["a", "b"], label_b="the rest")]
    [2.0, 0.0]
    """
    ea = [int(x) for x in events_a]
    da = [float(x) for x in days_a]
    eb = [int(x) for x in events_b]
    db = [float(x) for x in days_b]
    return [_rate_record(rr, *args, label_b) for rr, *args in zip(rate_ratios(ea, da, eb, db), ea, da, eb, db,
                                                                  labels_a)]


def _rate_record(rr, events_a, days_a, events_b, days_b, label_a, label_b) -> dict:
    out = {
        "group": label_a, "reference": label_b,
        "exits": int(events_a), "person_years": rounded(days_a / DAYS_PER_YEAR, 2),
        "exit_rate_per_year": rounded(per_year(events_a, days_a)),
        "reference_exits": int(events_b), "reference_person_years": rounded(days_b / DAYS_PER_YEAR, 2),
        "reference_exit_rate_per_year": rounded(per_year(events_b, days_b)),
        "rate_ratio": rr["rate_ratio"], "ci_low": rr["ci_low"], "ci_high": rr["ci_high"],
        "p_value": rr["p_value"], "method": rr["method"],
    }
    return jsonable(out)


def person_months(org) -> pd.DataFrame:
    """One row per person per calendar month employed, within the export window.

    Person-time counts from :func:`~orgraph.analyses.exposure.observed_from`
    (the first day the export can show an exit): months before it, in which
    nobody could be seen leaving, keep their row (for the seat, program and
    supervisor of that month) but have ``days`` 0, so no rate is diluted by them.

    Parameters
    ----------
    org : OrgGraph

    Returns
    -------
    DataFrame
        Shared by every analysis of the org (built once): read it, never change it.
        ``staff_id``, ``month`` (first of month), ``mi`` (months since
        1970-01), ``ref`` (first day employed in the month: the 1st, or the hire
        date), ``days`` (days at risk in the month: employed, on or after
        ``observed_from`` and up to ``data_end``),
        ``exit`` (the person's last day falls in the month), ``position_id``,
        ``program_id``, ``role_kind`` (the seat most recently taken up on or
        before ``ref``; ``"other"`` when none) and ``supervisor_id`` (supervisor
        on ``ref``, ``None`` when none). Sorted by ``ref``.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> pm = person_months(example_org())
    >>> c1 = pm[pm.staff_id == "C1"]
    >>> len(c1), int(c1.days.sum()), c1.exit.tolist()[-2:], [v if v == v else None for v in c1.supervisor_id][-3:]
    (17, 505, [False, True], ['S1', None, None])
    """
    return cached(org, "person_months", lambda: _person_months(org), copy=False)   # read-only


def _person_months(org) -> pd.DataFrame:
    pt = person_time(org)
    sc = pt["sc"].to_numpy()
    mi = pt["mi"].to_numpy()
    first = np.ones(len(pt), dtype=bool)
    first[1:] = (sc[1:] != sc[:-1]) | (mi[1:] != mi[:-1])
    head = np.flatnonzero(first)                    # sorted by ref (whole days), then person: unique keys
    del first
    if len(head):                                   # sums over each (person, month) run of rows: whole days
        days = np.add.reduceat(pt["days"].to_numpy().astype(np.int64, copy=False), head)
        ex = np.logical_or.reduceat(pt["exit"].to_numpy(dtype=bool), head)
    else:
        days, ex = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    ref = pt["start"].to_numpy()[head]
    order = _by_day(ref.astype("datetime64[D]").astype(np.int64), sc[head])
    rows = head[order]                              # each column is put in order as it is made (a lower peak)
    del head
    ref, days, ex = ref[order], days[order], ex[order]
    del order
    h_sc, h_mi = sc[rows], mi[rows]
    codes = {}
    cols = {"staff_id": org.staff_frame["staff_id"].to_numpy(dtype=object)[h_sc], "sc": h_sc,
            "month": month_start(h_mi), "mi": h_mi, "ref": ref, "days": days, "exit": ex}
    del h_sc, h_mi, ref, days, ex
    for c in _ID_COLUMNS:
        cols[c] = _gather_ids(pt, c, rows, codes_out=codes if c in _GROUPED_BY else None)
    del rows
    pm = pd.DataFrame(cols, copy=False)             # one block per column: no consolidating copy
    del cols
    _remember_codes(pm, codes)                      # column_codes(pm, ...) without hashing the id objects again
    return pm


def _by_day(day: np.ndarray, sc: np.ndarray) -> np.ndarray:
    """The order that sorts rows by (``day``, ``sc``), for rows already sorted by ``sc`` with (``day``, ``sc``)
    unique: a stable sort on the day alone (a radix sort when the days span fewer than 32,767).

    Examples
    --------
    >>> _by_day(np.array([5, 3, 5, 3, 1]), np.array([0, 0, 1, 1, 2])).tolist()
    [4, 1, 3, 0, 2]
    """
    if not len(day):
        return np.zeros(0, dtype=np.intp)
    lo = int(day.min())
    if int(day.max()) - lo < np.iinfo(np.int16).max:
        return np.argsort((day - lo).astype(np.int16), kind="stable")
    return np.argsort((day + _DAY_OFFSET) * (1 << 32) + sc, kind="stable")


_ID_COLUMNS = ("position_id", "program_id", "role_kind", "supervisor_id")
#: The person-month id columns whose codes are kept as long as the table: the analyses group by them, and the
#: monthly factor table makes them categoricals.
_GROUPED_BY = _ID_COLUMNS


def _gather_ids(pt: pd.DataFrame, col: str, rows: np.ndarray, *, codes_out: dict | None = None) -> np.ndarray:
    """``pt[col]`` on ``rows`` (object array; ids stay objects: None, never NaN), through the column's integer codes
    (:func:`~orgraph.analyses.persontime.column_codes`): an id column read in another order touches a few
    distinct values instead of one object per row. ``codes_out[col]``, when given, gets the result's own
    codes into its sorted distinct values (-1 for missing), exactly what ``column_codes`` would work out.

    Examples
    --------
    >>> pt = pd.DataFrame({"s": pd.Series(["b", None, "a", np.nan], dtype=object)})
    >>> _gather_ids(pt, "s", np.array([3, 2, 0, 1, 2])).tolist()
    [nan, 'a', 'b', None, 'a']
    >>> got = {}
    >>> _ = _gather_ids(pt, "s", np.array([1, 2, 2]), codes_out=got)
    >>> got["s"][0].tolist(), got["s"][1].tolist()
    ([-1, 0, 0], ['a'])
    """
    codes, uniq = column_codes(pt, col)
    c = codes[rows]
    if codes_out is not None:                       # the panel's codes may name values these rows lack: drop them
        present = np.flatnonzero(np.bincount(c[c >= 0], minlength=len(uniq)))
        remap = np.full(len(uniq) + 1, -1, dtype=np.int32)  # the last slot: missing (-1)
        remap[present] = np.arange(len(present), dtype=np.int32)
        codes_out[col] = (remap[c], np.asarray(uniq, dtype=object)[present])
    out = np.asarray(uniq, dtype=object)[np.maximum(c, 0)] if len(uniq) else np.empty(len(rows), dtype=object)
    miss = c < 0
    if miss.any():                                  # None or NaN, as the panel has it
        out[miss] = pt[col].to_numpy(dtype=object)[rows[miss]]
    return out


def caseload_runs(org, *, percentile=None) -> pd.DataFrame:
    """Each caseload record with its month's cut-off and the above-cut-off run it ends.

    Parameters
    ----------
    org : OrgGraph
    percentile : float, optional
        Cut-off percentile, default ``[caseload] percentile`` (90).

    Returns
    -------
    DataFrame
        Shared by every analysis of the org (built once): read it, never change it.
        ``staff_id``, ``month``, ``mi``, ``active_clients``, ``cutoff`` (the
        month's percentile over everyone with a record, linear interpolation),
        ``pct_rank`` (percent of that month's records at or below this one),
        ``above`` (``active_clients > cutoff``) and ``run`` (consecutive
        calendar months above the cut-off ending this month; 0 when not above).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> r = caseload_runs(example_org())
    >>> r[r.staff_id == "C1"]["run"].tolist()
    [1, 2, 3, 4]
    """
    pct = float(setting_of(org, "caseload", "percentile", percentile))
    return cached(org, f"caseload_runs:{pct}", lambda: _caseload_runs(org, pct), copy=False)  # read-only


def _caseload_runs(org, pct: float) -> pd.DataFrame:
    cl = org.data.caseload
    cols = ["staff_id", "sc", "month", "mi", "active_clients", "cutoff", "pct_rank", "above", "run"]
    if not len(cl):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    month = pd.to_datetime(cl["month"]).to_numpy()
    mi = month_index(month)
    ac = cl["active_clients"].to_numpy().astype(float)
    cutoff, pct_rank = rank_and_quantile(mi, ac, pct / 100.0)     # one sort for both
    sc = staff_codes(org, cl["staff_id"])             # the shared column: looked up once per org
    ds = np.diff(sc)
    if not bool(((ds > 0) | ((ds == 0) & (np.diff(mi) > 0))).all()):    # not yet by person, then month
        del ds
        order = np.lexsort((mi, sc))                   # stable
        sc, mi, ac, cutoff, pct_rank = sc[order], mi[order], ac[order], cutoff[order], pct_rank[order]
        staff_id, month = cl["staff_id"].to_numpy()[order], month[order]
    else:
        del ds
        staff_id = cl["staff_id"].to_numpy()
    n = len(sc)
    above = ac > cutoff
    same = np.zeros(n, dtype=bool)
    same[1:] = (sc[1:] == sc[:-1]) & (mi[1:] == mi[:-1] + 1) & above[1:] & above[:-1]
    start = np.flatnonzero(~same)                      # a new run wherever the one before does not go on
    pos = np.arange(n)
    first = start[np.cumsum(~same) - 1]
    del same, start
    run = np.where(above, pos - first + 1, 0)
    del pos, first
    out = {"staff_id": staff_id, "sc": _narrow(sc), "month": month, "mi": _narrow(mi),
           "active_clients": ac, "cutoff": cutoff, "pct_rank": pct_rank, "above": above, "run": _narrow(run)}
    return pd.DataFrame(out, columns=cols, copy=False)   # one block per column: no consolidating copy


def _narrow(codes: np.ndarray) -> np.ndarray:
    """Integer codes as int32 when they fit (half the memory of a shared table's int64 columns), else as they are.

    Examples
    --------
    >>> _narrow(np.array([-1, 5, 2**31 - 1])).dtype, _narrow(np.array([2**31])).dtype
    (dtype('int32'), dtype('int64'))
    """
    if len(codes) and (int(codes.min()) < np.iinfo(np.int32).min or int(codes.max()) > np.iinfo(np.int32).max):
        return codes
    return codes.astype(np.int32)


def group_quantile(group: np.ndarray, values: np.ndarray, q: float) -> np.ndarray:
    """Each row's group quantile ``q`` of ``values`` (linear interpolation, no missing values): pandas'
    ``groupby(group)[values].transform("quantile", q)`` with the same arithmetic, by one sort.

    Examples
    --------
    >>> group_quantile(np.array([7, 7, 9, 7, 7]), np.array([4.0, 1.0, 3.0, 2.0, 8.0]), 0.9).round(6).tolist()
    [6.8, 6.8, 3.0, 6.8, 6.8]
    """
    g = np.asarray(group, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    if not len(v):
        return np.zeros(0)
    g = g - int(g.min())
    present = np.bincount(g) > 0
    code = (np.cumsum(present) - 1)[g]                 # groups 0..n_groups-1 in increasing order
    n_groups = int(present.sum())
    if v.min() >= 0 and v.max() < 2 ** 31 and bool((v == np.floor(v)).all()):
        key = (code << 32) | v.astype(np.int64)        # whole numbers: one sort of (group, value) integer keys
        key.sort()
        vs = (key & 0xFFFFFFFF).astype(np.float64)
        del key
    else:
        vs = v[np.lexsort((v, code))]
    n = np.bincount(code, minlength=n_groups)
    s0 = np.cumsum(n) - n                              # first sorted row of each group
    qi = q * (n - 1).astype(np.float64)               # pandas' group_quantile: truncated index, then the fraction
    lo = qi.astype(np.int64)
    frac = qi % 1
    val = vs[s0 + lo]
    nxt = vs[np.minimum(s0 + lo + 1, s0 + n - 1)]
    out = np.where(frac == 0.0, val, val + (nxt - val) * frac)
    return out[code]


def _pct_rank_max(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Percent of each row's group at or below its value: pandas' ``groupby(group).rank(method="max", pct=True)
    * 100`` (no missing values), by one sort.

    Examples
    --------
    >>> _pct_rank_max(np.array([1, 1, 1, 2, 1]), np.array([5.0, 3.0, 5.0, 9.0, 1.0])).tolist()
    [100.0, 50.0, 100.0, 100.0, 25.0]
    """
    return rank_and_quantile(group, values, 0.5)[1]


def rank_and_quantile(group: np.ndarray, values: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group quantile ``q`` (:func:`group_quantile`) and percent rank (:func:`_pct_rank_max`) from one
    sort of the rows by (group, value), with the same arithmetic as each.

    Examples
    --------
    >>> cut, rank = rank_and_quantile(np.array([1, 1, 1, 2, 1]), np.array([5.0, 3.0, 5.0, 9.0, 1.0]), 0.9)
    >>> cut.round(6).tolist(), rank.tolist()
    ([5.0, 5.0, 5.0, 9.0, 5.0], [100.0, 50.0, 100.0, 100.0, 25.0])
    """
    n = len(values)
    if not n:
        return np.zeros(0), np.zeros(0)
    values = np.asarray(values, dtype=np.float64)
    key = _group_value_key(group, values)
    if int(key.max()) < np.iinfo(np.int16).max:
        key = key.astype(np.int16)                      # a radix sort
    order = np.argsort(key, kind="stable")
    del key
    g, v = np.asarray(group)[order], values[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    tie_end = np.r_[(g[1:] != g[:-1]) | (v[1:] != v[:-1]), True]     # the last row of each run of equal values
    del g
    g_start = np.flatnonzero(new_group)
    g_id = np.cumsum(new_group) - 1
    del new_group
    g_size = np.diff(np.r_[g_start, n])
    last = np.where(tie_end, np.arange(n), n)
    del tie_end
    last = np.minimum.accumulate(last[::-1])[::-1]      # the last row of each row's run of equal values
    rank = last - g_start[g_id] + 1                     # the max rank of each tie
    del last
    pct_rank = np.empty(n)
    pct_rank[order] = rank.astype(np.float64) / g_size[g_id].astype(np.float64) * 100.0
    del rank
    qi = q * (g_size - 1).astype(np.float64)           # as group_quantile: truncated index, then the fraction
    lo = qi.astype(np.int64)
    frac = qi % 1
    val = v[g_start + lo]
    nxt = v[np.minimum(g_start + lo + 1, g_start + g_size - 1)]
    cut = np.empty(n)
    cut[order] = np.where(frac == 0.0, val, val + (nxt - val) * frac)[g_id]
    return cut, pct_rank


def _group_value_key(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """One integer per row ordered as (``group``, ``values``): the values' own numbers when they are small whole
    numbers (counts), else their rank among the distinct values.

    Examples
    --------
    >>> _group_value_key(np.array([3, 2, 3]), np.array([4.0, 7.0, 0.5])).tolist()
    [4, 2, 3]
    """
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(group, dtype=np.int64) - int(np.min(group))
    if v.min() >= 0 and v.max() < 2**31 and bool((v == np.floor(v)).all()):
        width = int(v.max()) + 1
        vc = v.astype(np.int64)
    else:
        uniq, vc = np.unique(v, return_inverse=True)
        width = len(uniq)
    return g * width + vc


def exposure_rate_ratio(pm: pd.DataFrame, flag: pd.Series, *, label_a: str, label_b: str) -> dict:
    """Rate ratio of exits in person-months where ``flag`` is True vs False (NaN rows dropped)."""
    ok = flag.notna().to_numpy()
    f = flag[ok].astype(bool).to_numpy()
    d = pm["days"].to_numpy()[ok]
    x = pm["exit"].to_numpy()[ok]
    return rate_record(x[f].sum(), d[f].sum(), x[~f].sum(), d[~f].sum(), label_a=label_a, label_b=label_b)
