"""What departures have in common: factors over-represented among leavers.

The unit is the person-month. For each month a person was employed the
analysis records the circumstances on the first day at risk (supervisor,
program, seat, tenure, whether a supervisor of theirs had recently left) and in
the month before (caseload band, documentation band), and whether the person
left that month. For every level of every factor it compares the exit rate of
person-months at that level with all other person-months in the period: a
person-time rate ratio with a 95% interval (:func:`orgraph.stats.rate_ratio`),
a two-sided p-value and a Benjamini–Hochberg adjustment over all levels tested.

Levels describing fewer than ``[privacy] min_cell`` people are suppressed
(counted in ``suppressed`` but not shown): a table must not single anyone out.

:func:`monthly_factors` builds the person-month factor table; the risk list
(:mod:`orgraph.analyses.risk`) uses it too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..graph import as_date
from ..result import Result
from ..settings import analysis_cut
from ..stats import bh_adjust
from ..plain import plural
from .coverage import MISSING
from .panel import (DAYS_PER_YEAR, _ns, attach_context, cached, caseload_runs, group_quantile, month_index,
                    month_key, person_months, rate_records, rounded, setting_of, staff_codes, take)
from .docburden import doc_ratios
from .persontime import column_codes, factorize_objects

__all__ = ["departure_factors", "monthly_factors", "factor_context", "FACTORS", "TENURE_BANDS"]

#: Factors compared, in report order, with a phrase for sentences.
FACTORS = {
    "supervisor_recently_left": "people whose supervisor had left in the previous {days} days",
    "caseload_band": "people whose caseload the month before was {level}",
    "documentation_band": "people whose documentation ratio the month before was {level}",
    "tenure_band": "people with {level} of tenure",
    "program": "people in program {level}",
    "supervisor": "people supervised by {level}",
    "seat": "holders of seat {level}",
}

#: Tenure bands: (upper bound in days, label).
TENURE_BANDS = [(183, "under 6 months"), (365, "6-12 months"), (730, "1-2 years"), (1826, "2-5 years"),
                (None, "5+ years")]


def _num(x: float) -> str:
    s = f"{x:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def factor_context(org, rows: pd.DataFrame, *, lookback_days=None, churn_window_months=None) -> pd.DataFrame:
    """Add the circumstances of each (person, day) row.

    Parameters
    ----------
    org : OrgGraph
    rows : DataFrame
        ``staff_id``, ``ref`` (Timestamp: the day described) and ``prev_mi``
        (months since 1970-01 of the last complete month before ``ref``).
    lookback_days : int, optional
        A leaving supervisor counts for the people they supervised in these
        days before leaving; default ``[cascades] lookback_days`` (30).
    churn_window_months : int, optional
        Window for seat departures; default ``[churn] window_months`` (24).

    Returns
    -------
    DataFrame
        ``rows`` with ``position_id``, ``program_id``, ``role_kind``,
        ``supervisor_id``, ``tenure_days``, ``caseload`` / ``caseload_band`` /
        ``caseload_run`` (month ``prev_mi``; run = consecutive months above the
        percentile cut-off ending then), ``doc_ratio`` / ``documentation_band``,
        ``sup_left_days`` (days since a supervisor of theirs left; NaN if
        never), ``seat_departures`` (holders who left the seat in the
        ``churn_window_months`` before ``ref``), ``sup_span`` (people whose
        supervisor on ``ref`` is this row's supervisor, among ``rows`` of the
        same ``prev_mi``), ``sup_caseload`` (their summed caseloads) and ``sup_sc``
        (the supervisor's integer code, :func:`~orgraph.analyses.persontime.staff_codes`; -1 for none).
        Compact: the ids (``staff_id``, ``position_id``, ``program_id``, ``role_kind``,
        ``supervisor_id``; missing as NaN) and the bands are categoricals, counts and codes int32,
        ``caseload_run`` and ``sup_left_days`` float32 (whole numbers or NaN).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> rows = pd.DataFrame({"staff_id": ["C1", "C2"], "ref": pd.to_datetime(["2022-05-01"] * 2), "prev_mi": 627})
    >>> f = factor_context(org, rows)
    >>> f[["staff_id", "caseload_band", "caseload_run", "sup_left_days", "documentation_band"]].values.tolist()
    [['C1', 'above 90th percentile', 4.0, 46.0, '1.0 or more'], ['C2', 'at or below median', 0.0, 46.0, '0.5-0.75']]
    """
    return _factor_context(org, rows, lookback_days, churn_window_months)


#: Input columns of :func:`factor_context` stored as int32 (months, days and staff codes are small).
_INT32 = ("sc", "mi", "prev_mi", "days")
#: Id columns stored as categoricals.
_IDS = ("staff_id", "position_id", "program_id", "role_kind", "supervisor_id")
#: Cells of a dense (staff code, month) grid above which :func:`grid_lookup` searches instead.
_GRID_MAX = 1 << 25
_DAY_BITS = 20
_DAY_OFFSET = 1 << 19
#: Input columns the shared monthly table leaves out: no analysis reads them off it.
_UNREAD = ("month", "ref")


def _narrowest(values) -> np.ndarray:
    """Integers in the narrowest signed type that holds them all (int8 up to int64).

    Examples
    --------
    >>> [_narrowest(np.array(v)).dtype.name for v in ([0, 31], [-1, 200], [1 << 40])]
    ['int8', 'int16', 'int64']
    """
    arr = np.asarray(values)
    if not len(arr):
        return arr.astype(np.int8)
    lo, hi = int(arr.min()), int(arr.max())
    for t in (np.int8, np.int16, np.int32):
        if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
            return arr.astype(t)
    return arr.astype(np.int64)


def grid_lookup(left_sc, left_mi, right_sc, right_mi, *, dtype=np.int64) -> np.ndarray:
    """Row of ``right`` whose (staff code, month) pair equals each ``left`` pair; -1 where none.

    A dense grid of row numbers over the months and the staff codes both sides have (month-major, so rows
    in month order read one month's cells), else (a grid too large) a hash index of the pairs; a pair that
    occurs more than once in ``right`` gives its first row. Codes below 0 never match. The grid is filled and
    read a chunk of rows at a time, with the integer columns as they are (no 64-bit copy of every row); the
    rows come back as ``dtype``.

    Examples
    --------
    >>> grid_lookup([0, 1, 1, -1], [5, 5, 7, 5], [1, 0, 1, 0], [5, 5, 5, 5]).tolist()
    [1, 0, -1, -1]
    """
    lsc, lmi, rsc, rmi = (_integers(x) for x in (left_sc, left_mi, right_sc, right_mi))
    out = np.full(len(lsc), -1, dtype=dtype)
    rok, lok = rsc >= 0, lsc >= 0
    if not rok.any() or not lok.any():
        return out
    lo = int(max(lmi[lok].min(), rmi[rok].min()))
    hi = int(min(lmi[lok].max(), rmi[rok].max()))
    del rok, lok
    if lo > hi:
        return out
    n = int(max(lsc.max(), rsc.max())) + 1
    both = np.zeros(n, dtype=bool)           # staff codes on both sides, numbered 0 .. k-1
    both[lsc[lsc >= 0]] = True
    on_right = np.zeros(n, dtype=bool)
    on_right[rsc[rsc >= 0]] = True
    both = both & (on_right)
    rank = np.cumsum(both) - 1
    k, width = int(both.sum()), hi - lo + 1
    if k * width > _GRID_MAX:                # a hash index instead of a grid
        rows, rkey = _grid_keys(rsc, rmi, both, rank, lo, hi, k)
        index = pd.Index(rkey)
        if not index.is_unique:
            first = ~index.duplicated()
            index, rows = index[first], rows[first]
        for a in range(0, len(lsc), _CHUNK):
            lrows, lkey = _grid_keys(lsc[a:a + _CHUNK], lmi[a:a + _CHUNK], both, rank, lo, hi, k)
            j = index.get_indexer(lkey)
            out[lrows + a] = np.where(j >= 0, rows[np.where(j >= 0, j, 0)], -1)
        return out
    grid = np.full(k * width, -1, dtype=np.int32 if len(rsc) < 2**31 else np.int64)
    starts = range(0, len(rsc), _CHUNK)
    for a in reversed(starts):               # from the last rows back: a repeated pair keeps its first row
        rows, rkey = _grid_keys(rsc[a:a + _CHUNK], rmi[a:a + _CHUNK], both, rank, lo, hi, k)
        grid[rkey[::-1]] = rows[::-1] + a
    for a in starts:                         # each pair's cell holds its first row (the smallest)
        rows, rkey = _grid_keys(rsc[a:a + _CHUNK], rmi[a:a + _CHUNK], both, rank, lo, hi, k)
        if not (grid[rkey] <= rows + a).all():
            rows, rkey = _grid_keys(rsc, rmi, both, rank, lo, hi, k)
            _, first = np.unique(rkey, return_index=True)
            grid[rkey[first]] = rows[first]
            break
    for a in range(0, len(lsc), _CHUNK):
        lrows, lkey = _grid_keys(lsc[a:a + _CHUNK], lmi[a:a + _CHUNK], both, rank, lo, hi, k)
        out[lrows + a] = grid[lkey]
    return out


#: Rows of a large table handled at a time.
_CHUNK = 1 << 20


def _integers(values) -> np.ndarray:
    """``values`` as an integer array: as they are when integers already, else as int64."""
    arr = np.asarray(values)
    return arr if arr.dtype.kind in "iu" else np.asarray(values, dtype=np.int64)


def _grid_keys(sc: np.ndarray, mi: np.ndarray, both: np.ndarray, rank: np.ndarray, lo: int, hi: int,
               k: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose staff code is on both sides and month in ``lo .. hi``, and their cells
    ``(month - lo) * k + rank of the code`` (int64) in :func:`grid_lookup`'s grid.

    Examples
    --------
    >>> both = np.array([True, False, True])
    >>> [x.tolist() for x in _grid_keys(np.array([2, 1, 0, -1, 2]), np.array([5, 5, 6, 5, 9]), both,
    ...                                 np.cumsum(both) - 1, 5, 8, 2)]
    [[0, 2], [1, 2]]
    """
    ok = (sc >= 0) & (mi >= lo) & (mi <= hi)
    rows = np.flatnonzero(ok)
    del ok
    rows = rows[both[sc[rows]]]
    key = mi[rows].astype(np.int64)
    key -= lo
    key *= k
    key += rank[sc[rows]]
    return rows, key


def _category(values, factorized=None) -> pd.Categorical:
    """Ids as a categorical (categories in order of appearance, or those of ``factorized``: codes, -1 for
    missing, and the distinct ids, as :func:`~orgraph.analyses.persontime.column_codes` gives; None and NaN
    missing)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    codes, uniques = factorize_objects(values) if factorized is None else factorized
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def _supervisors(org, sup: pd.Series, factorized=None) -> tuple[pd.Categorical, np.ndarray]:
    """Supervisor ids as a categorical (of every staff id when every supervisor is on the staff list) and their
    staff codes (-1 for none or unknown), looked up once per distinct id (``factorized``: the codes and
    distinct ids of ``sup`` when known, as for :func:`_category`).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> cat, codes = _supervisors(org, pd.Series(["S1", None, "S1", "nobody"]))
    >>> list(cat), (codes >= 0).tolist()
    (['S1', nan, 'S1', 'nobody'], [True, False, True, False])
    >>> len(_supervisors(org, pd.Series(["S1", None]))[0].categories) == len(org.staff_frame)
    True
    """
    codes, uniq = factorize_objects(sup) if factorized is None else factorized    # None and NaN: -1
    sc_u = staff_codes(org, uniq) if len(uniq) else np.zeros(0, dtype=np.int64)
    sup_c = np.append(sc_u, -1)[codes]
    if (sc_u >= 0).all():                                       # every supervisor is on the staff list
        return _staff_category(org, sup_c), sup_c
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniq, dtype=object)), sup_c


def _staff_category(org, codes) -> pd.Categorical:
    """Staff codes as a categorical of staff ids (the categories are every staff id; -1 missing)."""
    return pd.Categorical.from_codes(np.asarray(codes), categories=org.staff_frame.index)


def _banded(codes, labels) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int8), categories=pd.Index(labels, dtype=object))


def _days(values) -> np.ndarray:
    """Whole days since 1970-01-01 (floored) of datetimes."""
    return np.floor_divide(np.asarray(values, dtype="datetime64[ns]").astype(np.int64), 86_400 * 10**9)


#: The person-month id columns whose codes person_months keeps (read by :func:`_factor_context`).
_IDS_KEPT = ("position_id", "program_id", "role_kind", "supervisor_id")


def _factor_context(org, df: pd.DataFrame, lookback_days=None, churn_window_months=None,
                    prev_mi=None, compact: bool = False) -> pd.DataFrame:
    """:func:`factor_context`, reading ``df`` (never changing it): the columns are built as arrays and made
    into one frame at the end. ``prev_mi``, when given, is added as that column (so a shared frame need not
    be copied to add it). ``compact`` leaves out the columns no analysis reads off the shared monthly table
    (:data:`_UNREAD`, and the supervisor's span and supervisee caseload are not worked out) and stores
    ``days`` and ``seat_departures`` in the narrowest integers that hold them."""
    look = int(setting_of(org, "cascades", "lookback_days", lookback_days))
    win = int(setting_of(org, "churn", "window_months", churn_window_months))
    thr = float(setting_of(org, "docburden", "threshold"))
    if "position_id" not in df.columns:
        df = attach_context(org, df)
    cols = {c: df[c].to_numpy() for c in df.columns if c not in _IDS}
    names = list(df.columns)
    if prev_mi is not None:
        cols["prev_mi"] = np.asarray(prev_mi)
        names.append("prev_mi")
    ref = df["ref"].to_numpy()
    cols["ref"] = ref if ref.dtype == "datetime64[ns]" else _ns(df["ref"]).to_numpy()
    if "sc" not in cols:
        cols["sc"] = staff_codes(org, df["staff_id"])
    for c in _INT32:
        if c in cols and cols[c].dtype.kind in "iu":
            cols[c] = cols[c].astype(np.int32)
    sf = org.staff_frame
    sc, ref, prev_mi = cols["sc"], cols["ref"], cols["prev_mi"]
    n = len(sc)
    # the shared table's ids: the codes person_months keeps for them (no hashing every row's id again)
    kept = {c: column_codes(df, c) for c in _IDS_KEPT} if compact else {}
    ids = {c: _category(df[c], kept.get(c)) for c in ("position_id", "program_id", "role_kind")}
    ids["supervisor_id"], sup_c = _supervisors(org, df["supervisor_id"], kept.get("supervisor_id"))
    del kept
    staff = (_staff_category(org, sc) if (sc >= 0).all() else _category(df["staff_id"]))
    out = {"staff_id": staff}
    for c in names:                      # the input's columns in their order, ids as categoricals
        if c != "staff_id" and not (compact and c in _UNREAD):
            out[c] = ids[c] if c in ids else cols[c]
    if compact and "days" in out:
        out["days"] = _narrowest(out["days"])
    for c in ("sc", "prev_mi"):
        out.setdefault(c, cols[c])
    out["tenure_days"] = ((ref - sf["hire"].to_numpy()[sc]) / np.timedelta64(1, "D")).astype(np.int32)
    # --- caseload and documentation of the previous month
    months = None if compact else np.unique(prev_mi)    # the shared table reads every month
    cl = _caseload_bands(org, months)
    band_labels = _caseload_labels(org)
    if cl is not None:
        r_sc, r_mi, active, band, run = cl
        j = grid_lookup(sc, prev_mi, r_sc, r_mi)
        del cl, r_sc, r_mi
        hit = j >= 0
        j[~hit] = 0
        if not compact:
            out["caseload"] = np.where(hit, active[j], np.nan)
        out["caseload_band"] = _banded(np.where(hit, band[j], len(band_labels) - 1), band_labels)
        out["caseload_run"] = np.where(hit, run[j], np.nan).astype(np.float32)
        del j, hit, active, band, run
    else:
        if not compact:
            out["caseload"] = np.full(n, np.nan)
        out["caseload_band"] = _banded(np.full(n, len(band_labels) - 1), band_labels)
        out["caseload_run"] = np.full(n, np.nan, dtype=np.float32)
    dk = _doc_lookup(org, months)
    if dk is not None:
        j = grid_lookup(sc, prev_mi, dk[0], dk[1])
        hit = j >= 0
        j[~hit] = 0
        x = np.where(hit, dk[2][j], np.nan)
        del dk, j, hit
    else:
        x = np.full(n, np.nan)
    out["doc_ratio"] = x
    labels = ["no documentation record", f"{_num(thr)} or more", f"{_num(0.75 * thr)}-{_num(thr)}",
              f"{_num(0.5 * thr)}-{_num(0.75 * thr)}", f"under {_num(0.5 * thr)}"]
    with np.errstate(invalid="ignore"):
        out["documentation_band"] = _banded(np.select([np.isnan(x), x >= thr, x >= 0.75 * thr, x >= 0.5 * thr],
                                                      [0, 1, 2, 3], 4), labels)
    out["sup_left_days"] = _sup_left_days(org, sc, ref, look)
    seats = _seat_departures(org, ids["position_id"], ref, win)
    out["seat_departures"] = _narrowest(seats) if compact else seats
    # --- the supervisor's span and supervisee caseload among these rows
    out["sup_sc"] = sup_c.astype(np.int32)
    if not compact:
        out["sup_span"], out["sup_caseload"] = _spans(sc, sup_c, prev_mi, out["caseload"])
    out["tenure_band"] = _banded(np.searchsorted(np.array([u for u, _ in TENURE_BANDS[:-1]]), out["tenure_days"],
                                                 side="right"), [label for _, label in TENURE_BANDS])
    if n > 1 and not ((ref[1:] > ref[:-1]) | ((ref[1:] == ref[:-1]) & (sc[1:] >= sc[:-1]))).all():
        order = np.lexsort((sc, ref))
        out = {c: (v[order] if isinstance(v, (np.ndarray, pd.Categorical)) else v) for c, v in out.items()}
    return pd.DataFrame(out, copy=False)     # a block per column: no consolidating copy


def _caseload_labels(org) -> list[str]:
    pct = float(setting_of(org, "caseload", "percentile"))
    return ["above 90th percentile" if pct == 90 else f"above {pct:g}th percentile", "75th-90th percentile",
            "50th-75th percentile", "at or below median", "no caseload record"]


def _sup_left_days(org, sc, ref, look: int) -> np.ndarray:
    """Days from the last exit (on or before ``ref``) of a supervisor who supervised the row's person in the
    ``look`` days before leaving, to ``ref``; NaN if none."""
    out = np.full(len(sc), np.nan, dtype=np.float32)
    e_key = _supervisor_exit_keys(org, look)
    if e_key is None:
        return out
    sc = np.asarray(sc)
    people = (e_key >> _DAY_BITS) - 1                   # the staff codes with a supervisor's exit
    seen = np.zeros(max(int(people.max()), int(sc.max()) if len(sc) else 0) + 2, dtype=bool)
    seen[people] = True
    rows = np.flatnonzero(seen[sc])                       # only their rows can have one (sc -1 reads the last)
    del seen
    ref_day = _days(np.asarray(ref)[rows])
    r_key = ((sc[rows].astype(np.int64) + 1) << _DAY_BITS) + ref_day + _DAY_OFFSET
    i = np.searchsorted(e_key, r_key, side="right") - 1
    hit = i >= 0
    k = e_key[np.where(hit, i, 0)]
    hit = hit & ((k >> _DAY_BITS) == (r_key >> _DAY_BITS))
    out[rows[hit]] = (ref_day - ((k & ((1 << _DAY_BITS) - 1)) - _DAY_OFFSET))[hit]
    return out


def _supervisor_exit_keys(org, look: int) -> np.ndarray | None:
    """One sorted int64 key per (person, day their supervisor was gone) for supervisors who supervised them in
    the ``look`` days before leaving: ``(staff code + 1) << _DAY_BITS`` plus the day after the exit (offset);
    built once per org and ``look``, ``None`` when there are none."""
    def build():
        sv = org.supervision_frame
        if not len(sv):
            return None
        sf = org.staff_frame
        left = sf[sf["exited"]]
        ev = sv.merge(left[["exit"]], left_on="supervisor_id", right_index=True)
        ev = ev[(ev["start"] <= ev["exit"]) & (ev["end"] > ev["exit"] - pd.Timedelta(days=look))]
        if not len(ev):
            return None
        return np.sort(((staff_codes(org, ev["staff_id"]) + 1) << _DAY_BITS)
                       + _days(ev["exit"] + pd.Timedelta(days=1)) + _DAY_OFFSET)

    return cached(org, f"supervisor_exit_keys:{look}", build, copy=False)


def _seat_departures(org, seat: pd.Categorical, ref, win: int) -> np.ndarray:
    """Holders who left each row's seat in the ``win`` months up to ``ref`` (0 without a seat)."""
    af = org.assignment_frame
    closed = af[~af["open"]]
    codes = np.asarray(seat.codes, dtype=np.int64)
    if not len(closed) or not (codes >= 0).any():
        return np.zeros(len(codes), dtype=np.int32)
    c_ev = seat.categories.get_indexer(pd.Index(closed["position_id"].to_numpy(dtype=object)))
    base = np.datetime64("1900-01-01", "D")
    ev_day = (closed["end"].to_numpy().astype("datetime64[D]") - base).astype(np.int64)
    mine = c_ev >= 0
    days = np.asarray(ref).astype("datetime64[D]")
    if len(days) > 1 and (days[1:] >= days[:-1]).all():      # sorted (the monthly table): runs of one day
        new = np.empty(len(days), dtype=bool)
        new[0], new[1:] = True, days[1:] != days[:-1]
        uniq = days[new]
        lo_u = (pd.DatetimeIndex(uniq) - pd.DateOffset(months=win)).to_numpy().astype("datetime64[D]")
        bounds = np.flatnonzero(new).tolist() + [len(days)]
        n = len(seat.categories)
        hi = _counts_by_day(c_ev[mine], ev_day[mine], (uniq - base).astype(np.int64), bounds, codes, n)
        lo = _counts_by_day(c_ev[mine], ev_day[mine], (lo_u - base).astype(np.int64), bounds, codes, n)
    else:
        uniq, inv = np.unique(days, return_inverse=True)
        lo_u = (pd.DatetimeIndex(uniq) - pd.DateOffset(months=win)).to_numpy().astype("datetime64[D]")
        span = 1 << 20
        keys = np.sort(c_ev[mine].astype(np.int64) * span + ev_day[mine])
        hi = np.searchsorted(keys, codes * span + (days - base).astype(np.int64), side="right")
        lo = np.searchsorted(keys, codes * span + (lo_u - base).astype(np.int64)[inv], side="right")
    return np.where(codes >= 0, hi - lo, 0).astype(np.int32)


def _counts_by_day(ev_codes, ev_days, query_days, bounds: list, codes, n: int) -> np.ndarray:
    """For rows grouped by day (group ``g`` is rows ``bounds[g]:bounds[g + 1]``, asking about day
    ``query_days[g]``, ascending): the events of each row's code (``0 .. n-1``; below 0: none) on or before that
    day. One running count per code, moved forward day by day: a row reads a small array instead of searching
    every event.

    Examples
    --------
    >>> _counts_by_day(np.array([0, 1, 0]), np.array([5, 6, 9]), np.array([4, 6, 10]), [0, 2, 3, 5],
    ...                np.array([0, 1, 0, 0, 1]), 2).tolist()
    [0, 0, 1, 2, 1]
    """
    order = np.argsort(ev_days, kind="stable")
    ev_codes = np.asarray(ev_codes, dtype=np.int64)[order]
    upto = np.searchsorted(np.asarray(ev_days)[order], query_days, side="right")   # events by each group's day
    running = np.zeros(n + 1, dtype=np.int64)            # the last cell stays 0: rows without a code read it
    at = np.where(codes >= 0, codes, n)
    out = np.zeros(len(codes), dtype=np.int64)
    done = 0
    for g, j in enumerate(upto.tolist()):
        if j > done:
            np.add.at(running, ev_codes[done:j], 1)
            done = j
        out[bounds[g]:bounds[g + 1]] = running[at[bounds[g]:bounds[g + 1]]]
    return out


def _spans(sc, sup_c, prev_mi, caseload) -> tuple[np.ndarray, np.ndarray]:
    """Per row: people (distinct staff codes) among the rows of the same supervisor and ``prev_mi``, and the sum
    of their caseloads (NaN as 0); 0 for rows without a supervisor."""
    sc = np.asarray(sc, dtype=np.int64)
    sup_c = np.asarray(sup_c, dtype=np.int64)
    mi = np.asarray(prev_mi, dtype=np.int64)
    has = sup_c >= 0
    span, load = np.zeros(len(sc), dtype=np.int32), np.zeros(len(sc))
    if not has.any():
        return span, load
    every = bool(has.all())                  # the rows with a supervisor, each column taken once
    mi_h, sc_h, sup_h = (mi, sc, sup_c) if every else (mi[has], sc[has], sup_c[has])
    lo = int(mi_h.min())
    width = int(mi_h.max()) - lo + 1
    n = int(max(sup_c.max(), sc.max())) + 1
    is_sup = np.zeros(n, dtype=bool)         # the supervisors, numbered 0 .. k-1
    is_sup[sup_h] = True
    k = int(is_sup.sum())
    month = mi_h - lo
    if k * width <= _GRID_MAX:               # groups are cells of a month-by-supervisor grid
        g, size = month * k + (np.cumsum(is_sup) - 1)[sup_h], k * width
    else:                                    # else numbered by hashing
        g = pd.factorize(month * n + sup_h)[0]
        size = int(g.max()) + 1
    once = (sc_h >= 0).all() and _distinct(month * n + sc_h, n * width)
    if not once:                             # a person twice in a group: count them once
        m = int(sc.max()) + 2
        pairs = np.unique(g * m + (sc_h + 1))
        people = np.bincount(pairs // m, minlength=size)
    else:
        people = np.bincount(g, minlength=size)
    weights = np.nan_to_num(np.asarray(caseload, dtype=float), nan=0.0)
    sums = np.bincount(g, weights=weights if every else weights[has], minlength=size)
    if every:
        return people[g].astype(np.int32), sums[g]
    span[has] = people[g]
    load[has] = sums[g]
    return span, load


def _distinct(keys: np.ndarray, size: int) -> bool:
    """Whether the non-negative ``keys`` (all below ``size``) are all different."""
    if size > _GRID_MAX:
        return bool(pd.Index(keys).is_unique)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    return int(np.count_nonzero(seen)) == len(keys)


def _caseload_bands(org, months=None):
    """``(sc, mi, caseload, band code, run)`` of every caseload record (of the months ``months`` when given),
    banded against its month's median and 75th percentile (band codes index :func:`_caseload_labels`); ``None``
    without caseloads. Built afresh each time and not kept: only :func:`_factor_context` reads it.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> sc, mi, active, band, run = _caseload_bands(example_org(), [627])
    >>> mi.tolist(), active.tolist(), band.tolist(), run.tolist()
    ([627, 627, 627, 627], [40.0, 20.0, 20.0, 10.0], [0, 3, 3, 3], [4, 0, 0, 0])
    """
    runs = caseload_runs(org)
    mi = runs["mi"].to_numpy()
    rows = slice(None) if months is None else np.flatnonzero(np.isin(mi, np.asarray(months, dtype=mi.dtype)))
    mi = mi[rows]
    if not len(mi):
        return None
    active = runs["active_clients"].to_numpy(float)[rows]
    above = runs["above"].to_numpy()[rows]
    q50, q75 = _month_quantiles(mi, active, (0.5, 0.75))
    band = np.select([above, active > q75, active > q50], [0, 1, 2], 3).astype(np.int8)
    del q50, q75
    return runs["sc"].to_numpy()[rows], mi, active, band, runs["run"].to_numpy()[rows]


#: Distinct (month, value) cells above which :func:`_month_quantiles` sorts instead of counting.
_COUNT_MAX = 1 << 24


def _month_quantiles(mi, values, qs) -> list[np.ndarray]:
    """Each row's quantiles ``qs`` of ``values`` within its month ``mi``: what
    :func:`~orgraph.analyses.panel.group_quantile` gives for each ``q`` (pandas' arithmetic), with the order
    statistics read off one count of the (month, value) pairs when the values are small whole numbers (as
    caseloads are) instead of a sort per quantile.

    Examples
    --------
    >>> [q.tolist() for q in _month_quantiles(np.array([7, 7, 9, 7, 7]), np.array([4.0, 1.0, 3.0, 2.0, 8.0]),
    ...                                       (0.5, 0.75))]
    [[3.0, 3.0, 3.0, 3.0, 3.0], [5.0, 5.0, 3.0, 5.0, 5.0]]
    """
    mi = np.asarray(mi)
    v = np.asarray(values, dtype=np.float64)
    if not len(v):
        return [np.zeros(0) for _ in qs]
    lo_m, top = int(mi.min()), float(v.max())
    whole = v.min() >= 0 and top < 2 ** 31 and bool((v == np.floor(v)).all())
    months, width = int(mi.max()) - lo_m + 1, int(top) + 1 if whole else 0
    if not whole or months * width > _COUNT_MAX:
        return [group_quantile(mi, v, q) for q in qs]
    g = mi - lo_m
    counts = np.bincount(g.astype(np.int64) * width + v.astype(np.int64), minlength=months * width)
    cum = np.cumsum(counts)                        # rows up to each (month, value) cell, months in order
    del counts
    n = np.bincount(g, minlength=months)
    s0 = np.cumsum(n) - n                          # rows before each month
    base = np.arange(months, dtype=np.int64) * width
    out = []
    for q in qs:
        qi = q * (n - 1).astype(np.float64)       # pandas: the truncated index, then the fraction
        k = qi.astype(np.int64)
        frac = qi % 1
        # the value of a month's k-th smallest row: the first cell of the month whose running count exceeds
        # s0 + k (cells hold the months in order, so the search stays inside the month)
        val = (np.searchsorted(cum, s0 + k, side="right") - base).astype(np.float64)
        nxt = (np.searchsorted(cum, np.minimum(s0 + k + 1, s0 + n - 1), side="right") - base).astype(np.float64)
        at = np.where(frac == 0.0, val, val + (nxt - val) * frac)
        out.append(at[g])
    return out


def _doc_lookup(org, months=None):
    """``(sc, mi, ratio)`` of every documentation month with a ratio (of the months ``months`` when given; the
    first of repeated months), ``None`` without any. Built afresh each time and not kept."""
    dr = doc_ratios(org)
    mi = dr["mi"].to_numpy()
    ok = dr["ratio"].notna().to_numpy()         # repeated months: grid_lookup reads the first
    if months is not None:
        ok = ok & np.isin(mi, np.asarray(months, dtype=mi.dtype))
    if not ok.any():
        return None
    rows = slice(None) if ok.all() else np.flatnonzero(ok)     # every row: the shared columns as they are
    return dr["sc"].to_numpy()[rows], mi[rows], dr["ratio"].to_numpy(float)[rows]


def monthly_factors(org, **kwargs) -> pd.DataFrame:
    """Person-months (:func:`~orgraph.analyses.caseload.person_months`) with :func:`factor_context`, holding
    only the columns analyses read off it: no ``month``, ``ref``, ``caseload``, ``sup_span`` or
    ``sup_caseload``; ``days`` and ``seat_departures`` in the narrowest integers that hold them.

    The month before each person-month is its ``prev_mi``, so caseload and
    documentation describe the month *before* the one in which an exit may happen.
    Built once per org (and settings) and shared: read it, never change it.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> f = monthly_factors(example_org())
    >>> f[(f.staff_id == "C1") & (f.exit)][["caseload_run", "sup_left_days"]].values.tolist()
    [[4.0, 46.0]]
    """
    def build():
        pm = person_months(org)
        return _factor_context(org, pm, prev_mi=pm["mi"].to_numpy() - 1, compact=True, **kwargs)

    return cached(org, "monthly_factors:" + repr(sorted(kwargs.items())), build, copy=False)  # read-only


#: The table a factor is measured from: without it every person is "no record" and the factor says nothing.
_NEEDS = {"caseload_band": "caseload", "documentation_band": "documentation"}


def in_ids(values: pd.Series, ids) -> np.ndarray:
    """``values.isin(ids)`` as a bool array, read off the categories when ``values`` is categorical.

    Examples
    --------
    >>> in_ids(pd.Series(["a", None, "b", "a"], dtype="category"), {"a"}).tolist()
    [True, False, False, True]
    """
    ids = list(ids)
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes)
        hit = np.append(values.cat.categories.isin(ids), False)     # code -1 (missing) reads the last
        return hit[codes]
    return values.isin(ids).to_numpy()


def sorted_levels(codes, names) -> tuple[np.ndarray, list]:
    """Codes renumbered to the used ``names`` in sorted order (what ``pd.factorize(..., sort=True)`` gives on
    the names), and those names.

    Examples
    --------
    >>> c, n = sorted_levels([2, 0, 2], ["b", "x", "a"])
    >>> c.tolist(), n
    ([0, 1, 0], ['a', 'b'])
    """
    codes = np.asarray(codes, dtype=np.int64)
    used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
    order = sorted(range(len(used)), key=lambda i: names[used[i]])
    new = np.full(len(names), -1, dtype=np.int64)
    new[used[order]] = np.arange(len(used))
    return new[codes], [names[used[i]] for i in order]


def _levels(f: pd.DataFrame, recent: int) -> dict[str, tuple[np.ndarray, list]]:
    """Each factor's (codes, names) on ``f``: names sorted, only those used."""
    def ids(col, missing):
        cat = f[col].array
        return sorted_levels(np.where(cat.codes >= 0, cat.codes, len(cat.categories)),
                             list(cat.categories) + [missing])

    def bands(col):
        cat = f[col].array
        return sorted_levels(cat.codes, list(cat.categories))

    return {
        "supervisor_recently_left": sorted_levels((f["sup_left_days"].to_numpy() < recent).astype(np.int64),
                                                  ["no", "yes"]),
        "caseload_band": bands("caseload_band"),
        "documentation_band": bands("documentation_band"),
        "tenure_band": bands("tenure_band"),
        "program": ids("program_id", "(none)"),
        "supervisor": ids("supervisor_id", "(no supervisor)"),
        "seat": ids("position_id", "(no seat)"),
    }


def departure_factors(org, *, start=None, end=None, as_of=None, period_months=None, window_days=None,
                      min_cell=None, alpha=0.05, termination_types=None) -> Result:
    """Factors over-represented among people who left in a period, against those who stayed.

    Parameters
    ----------
    org : OrgGraph
    start, end : date, optional
        The period (whole months containing these days). Default: the last
        ``[departures] period_months`` (12) months up to ``as_of`` or the data end.
    as_of : date, optional
        Same as ``end`` when ``end`` is not given.
    period_months : int, optional
    window_days : int, optional
        "Supervisor recently left" window; default ``[cascades] window_days`` (180).
    min_cell : int, optional
        Suppress levels with fewer people; default ``[privacy] min_cell`` (5).
    alpha : float, default 0.05
        A level is ``over_represented`` when its rate ratio is above 1 and its
        adjusted p-value below ``alpha``.
    termination_types : list of str, optional
        Count only these exits (for example ``["voluntary"]``); other exits end
        the person's time at risk without counting.

    Returns
    -------
    Result
        ``table``: one record per level shown (``factor``,
        ``level``, ``people``, ``leavers``, ``person_years``, ``exits``,
        ``exit_rate_per_year``, ``rate_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``p_adjusted``, ``share_of_exits``,
        ``share_of_person_time``, ``over_represented``, ``description``;
        sorted by adjusted p-value). ``extras``: ``period`` (``start``,
        ``end``), ``exits``, ``people``, ``leavers``, ``person_years`` and
        ``suppressed`` (levels hidden, by factor). ``summary``: sentences for
        the top over-represented levels.

    Raises
    ------
    AnalysisError
        If the period holds no person-time.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = departure_factors(example_org(), start="2022-01-01", end="2022-06-30", min_cell=1)
    >>> res.extras["exits"], res.extras["people"]
    (2, 5)
    >>> r = [x for x in res.table if x["factor"] == "documentation_band" and x["level"] == "1.0 or more"][0]
    >>> r["exits"], r["leavers"], r["people"]
    (1, 1, 1)
    """
    recent = int(setting_of(org, "cascades", "window_days", window_days))
    months = int(setting_of(org, "departures", "period_months", period_months))
    cell = int(setting_of(org, "privacy", "min_cell", min_cell))
    cut = analysis_cut(org, end if end is not None else as_of)
    last = (cut - pd.Timedelta(days=1)).date()
    hi_mi = month_index([pd.Timestamp(last)])[0]
    lo_mi = month_index([pd.Timestamp(as_date(start))])[0] if start is not None else hi_mi - months + 1
    if lo_mi > hi_mi:
        raise AnalysisError(f"the period starts ({start}) after it ends ({last})")
    f = monthly_factors(org)
    mi = f["mi"].to_numpy()
    f = f[["sc", "days", "exit", "sup_left_days", "caseload_band", "documentation_band", "tenure_band", "program_id",
           "supervisor_id", "position_id"]][(mi >= lo_mi) & (mi <= hi_mi)]       # the columns read, the months
    if not len(f) or f["days"].sum() == 0:
        raise AnalysisError(f"no one was employed between {start or 'the period start'} and {last}")
    ev = f["exit"].to_numpy().copy()
    if termination_types is not None:
        tt = org.staff_frame["termination_type"].isin(list(termination_types)).to_numpy()[f["sc"].to_numpy()]
        ev = ev & (tt)
    days = f["days"].to_numpy().astype(float)
    tot_e, tot_d = int(ev.sum()), float(days.sum())
    keep, suppressed = [], {}
    sc = f["sc"].to_numpy().astype(np.int64)
    n_sc = int(sc.max()) + 1 if len(sc) else 1
    untested = []
    for factor, (codes, names) in _levels(f, recent).items():
        table = _NEEDS.get(factor)
        if table is not None and not len(getattr(org.data, table)):
            untested.append(MISSING[table])
            continue
        ok = codes >= 0
        k = len(names)
        exits = np.bincount(codes[ok], weights=ev[ok], minlength=k).astype(np.int64)
        level_days = np.bincount(codes[ok], weights=days[ok], minlength=k)
        pairs = np.unique(codes[ok].astype(np.int64) * n_sc + sc[ok])
        people = np.bincount(pairs // n_sc, minlength=k)
        left = ok & ev
        leavers = np.bincount(np.unique(codes[left].astype(np.int64) * n_sc + sc[left]) // n_sc, minlength=k)
        for i, name in enumerate(names):
            if factor == "supervisor_recently_left" and name != "yes":
                continue
            if people[i] < cell:
                suppressed[factor] = suppressed.get(factor, 0) + 1
                continue
            keep.append((factor, name, int(people[i]), int(leavers[i]), int(exits[i]), float(level_days[i])))
    rates = rate_records([e for *_, e, _ in keep], [d for *_, d in keep], [tot_e - e for *_, e, _ in keep],
                         [tot_d - d for *_, d in keep], labels_a=[str(x[1]) for x in keep], label_b="everyone else")
    records = []
    for (factor, name, people_n, leavers_n, e, d), rr in zip(keep, rates):
        records.append({
            "factor": factor, "level": str(name), "people": people_n, "leavers": leavers_n,
            "person_years": rr["person_years"], "exits": e,
            "exit_rate_per_year": rr["exit_rate_per_year"], "rate_ratio": rr["rate_ratio"],
            "ci_low": rr["ci_low"], "ci_high": rr["ci_high"], "p_value": rr["p_value"],
            "share_of_exits": rounded(e / tot_e) if tot_e else None,
            "share_of_person_time": rounded(d / tot_d), "description": FACTORS[factor].format(level=name, days=recent),
        })
    adj = bh_adjust([r["p_value"] for r in records])
    for r, p in zip(records, adj):
        r["p_adjusted"] = p
        rr = r["rate_ratio"]
        r["over_represented"] = bool(p is not None and p < alpha and (rr is None or rr > 1)
                                     and r["exits"] > 0 and (r["ci_low"] or 0) > 1)
    records.sort(key=lambda r: (r["p_adjusted"] if r["p_adjusted"] is not None else 2.0,
                                -(r["rate_ratio"] or 0), r["factor"], r["level"]))
    period = {"start": pd.Timestamp(np.datetime64(int(lo_mi), "M")).date().isoformat(), "end": last.isoformat()}
    settings = {"window_days": recent, "period_months": months, "min_cell": cell, "alpha": alpha,
                "termination_types": None if termination_types is None else list(termination_types)}
    extras = {"period": period, "exits": tot_e, "people": int(len(np.unique(sc))),
              "leavers": int(len(np.unique(sc[ev]))), "person_years": rounded(tot_d / DAYS_PER_YEAR, 2),
              "suppressed": suppressed}
    return Result("departures", last.isoformat(), settings, records, _summary(records, tot_e, period), extras,
                  untested)


def _summary(records: list[dict], exits: int, period: dict) -> str:
    head = f"{plural(exits, 'exit')} between {period['start']} and {period['end']}."
    top = [r for r in records if r["over_represented"]][:3]
    if not top:
        return head + " No factor stood out beyond chance."
    parts = [head]
    for r in top:
        rr = r["rate_ratio"]
        ratio = f"{rr:.1f} times as frequent" if rr is not None else "far more frequent"
        ci = (f" (95% CI {r['ci_low']:.1f}–{r['ci_high']:.1f})" if r["ci_high"] is not None else "")
        parts.append(f"Exits were {ratio} among {r['description']}{ci}.")
    return " ".join(parts)
