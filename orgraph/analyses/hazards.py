"""The org's own exit hazards: how caseload per FTE relates to leaving, and exit rates now.

:func:`caseload_hazard` fits the org's own relation between a clinician's
caseload per FTE and their hazard of leaving: a Poisson regression on
person-months (exits in month *m+1* against active clients per FTE in month *m*,
with the months at risk as exposure), adjusted for tenure. When the history is
too thin (fewer than ``[scenario] min_exits`` exits, or a 95% interval wider
than ``max_ci_ratio``) it says so and falls back to
``hazard_ratio_per_10_clients``, a documented default labelled as such.
:func:`exit_rates` gives the current exit rate of a program or the org. The
what-if scenarios (:mod:`orgraph.report.scenarios`) build on both.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..graph import OrgGraph
from ..settings import analysis_cut, resolve
from ..stats import poisson_regression
from .exposure import iso
from .panel import month_key
from .persontime import column_codes, month_index, month_start, person_time, staff_codes

__all__ = ["caseload_hazard", "exit_rates", "scenario_settings", "TENURE_BAND_MONTHS", "key_index", "month_rows", "record_rows"]

_Z = 1.959963984540054          # the 97.5th percentile of the standard normal


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def scenario_settings(org) -> dict:
    """The ``[scenario]`` settings, with the post-exit window as ``_cascade_window``."""
    return {**resolve(org, "scenario"), "_cascade_window": resolve(org, "cascades")["window_days"]}


#: Tenure bands (months since hire) the caseload relation adjusts for: new hires carry small, growing
#: caseloads while their exit hazard is at its highest, which would otherwise hide a caseload effect.
TENURE_BAND_MONTHS = (3, 6, 12, 24)


def _tenure_dummies(tenure_months: np.ndarray, event: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """0/1 columns for the tenure bands, against the band with the most exposure; bands without any exit
    are folded into that reference band (their coefficient could not be estimated)."""
    band = np.digitize(tenure_months, TENURE_BAND_MONTHS)
    k = len(TENURE_BAND_MONTHS) + 1
    expo = np.bincount(band, weights=exposure, minlength=k)
    evs = np.bincount(band, weights=event, minlength=k)
    ref = int(np.argmax(expo))
    cols = [(band == j).astype(float) for j in range(k) if j != ref and evs[j] > 0]
    return np.column_stack(cols) if cols else np.empty((len(band), 0))


def _poisson_fit(x: np.ndarray, y: np.ndarray, exposure: np.ndarray,
                 adjust: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``log E[y] = a + b (x - mean x) + c . adjust + log(exposure)``: coefficients and covariance.

    Fitted on cells: the rows with the same covariates (the same ``x`` and the same ``adjust`` row) are
    one row with their events and exposure summed, which is the same likelihood up to a constant (a Poisson
    fit's sufficient statistics), so the same estimates: millions of person-months make a few hundred cells.

    Examples
    --------
    >>> x, y, t = np.array([1.0, 1.0, 3.0, 3.0]), np.array([1.0, 2.0, 4.0, 0.0]), np.array([10.0, 20.0, 5.0, 5.0])
    >>> coef, cov = _poisson_fit(x, y, t)
    >>> round(float(np.exp(2 * coef[1])), 6)          # (4 / 10) / (3 / 30): the rate ratio from x=1 to x=3
    4.0
    """
    cell, first = _cells([x] + ([adjust[:, j] for j in range(adjust.shape[1])] if adjust is not None else []))
    xc = x - x.mean()
    X = np.column_stack([np.ones(len(first)), xc[first]] + ([adjust[first]] if adjust is not None and adjust.size
                                                            else []))
    n = len(first)
    return poisson_regression(X, np.bincount(cell, weights=y, minlength=n),
                              np.bincount(cell, weights=exposure, minlength=n))


def _cells(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """The cell of each row (rows with equal values in every column share one; numbered in the order
    they first appear) and the first row of each cell.

    Examples
    --------
    >>> cell, first = _cells([np.array([2.0, 1.0, 2.0, 1.0]), np.array([0.0, 0.0, 0.0, 1.0])])
    >>> cell.tolist(), first.tolist()
    ([0, 1, 0, 2], [0, 1, 3])
    """
    n = len(columns[0])
    cell = np.zeros(n, dtype=np.int64)
    size = 1
    for col in columns:
        codes, values = pd.factorize(col, use_na_sentinel=False)   # a missing value is a value of its own
        cell, kept = pd.factorize(cell * len(values) + codes)
        size = len(kept)
    first = np.empty(size, dtype=np.int64)
    first[cell[::-1]] = np.arange(n - 1, -1, -1)   # the last write of each cell is its first row
    return cell, first


def key_index(left, right) -> np.ndarray:
    """Row of ``right`` holding each ``left`` key (-1 where none); ``right``'s keys are unique integers.

    A binary search when ``right`` is sorted (as the monthly panels are), else through one argsort: no hash
    table of the keys.

    Examples
    --------
    >>> key_index([5, 7, 1, 9], [1, 5, 9]).tolist()
    [1, -1, 0, 2]
    >>> key_index([5, 7, 1], [9, 1, 5]).tolist()
    [2, -1, 1]
    """
    lk = np.asarray(left, dtype=np.int64)
    rk = np.asarray(right, dtype=np.int64)
    if not len(rk):
        return np.full(len(lk), -1, dtype=np.int64)
    if len(rk) > 1 and not (rk[1:] > rk[:-1]).all():
        order = np.argsort(rk, kind="stable")
        pos = key_index(lk, rk[order])
        return np.where(pos >= 0, order[np.maximum(pos, 0)], -1)
    pos = np.minimum(np.searchsorted(rk, lk), len(rk) - 1)
    return np.where(rk[pos] == lk, pos, -1)


def month_rows(sc, mi, at_sc, at_mi) -> np.ndarray:
    """Row of the (``at_sc``, ``at_mi``) pairs (staff code, month index; unique) holding each (``sc``, ``mi``)
    pair, -1 where none.

    The pairs are put in (staff, month) order (one sort, unless they are in it already), so each staff code's
    rows are one block and the row of a month is read off the block's first month (:func:`_sorted_month_rows`:
    tables as long as the staff, no staff x month table). Repeated pairs (not expected) fall back to a staff x
    month table of row numbers, or :func:`key_index` when that table would be much larger than the data.

    Examples
    --------
    >>> month_rows([0, 2, 2, 5], [600, 601, 603, 600], [2, 0, 2], [601, 600, 602]).tolist()
    [1, 0, -1, -1]
    >>> month_rows([0, 2, 2, 5, 2], [600, 601, 603, 600, 604], [0, 2, 2, 2], [600, 601, 602, 604]).tolist()
    [0, 1, -1, -1, 3]
    """
    sc, mi = np.asarray(sc, dtype=np.int64), np.asarray(mi, dtype=np.int64)
    rs, rm = np.asarray(at_sc, dtype=np.int64), np.asarray(at_mi, dtype=np.int64)
    if not len(rs) or not len(sc):
        return np.full(len(sc), -1, dtype=np.int64)
    ds = np.diff(rs)
    if ((ds > 0) | ((ds == 0) & (np.diff(rm) > 0))).all():
        del ds
        return _sorted_month_rows(sc, mi, rs, rm)
    # another order (the person-month panel is by month, then staff): sort the pairs once, then the same
    order = np.lexsort((rm, rs))
    rs, rm = rs[order], rm[order]
    ds = np.diff(rs)
    if ((ds > 0) | ((ds == 0) & (np.diff(rm) > 0))).all():
        del ds
        row = _sorted_month_rows(sc, mi, rs, rm)
        return np.where(row >= 0, order[np.maximum(row, 0)], -1)
    del ds                                          # repeated pairs: the row table below keeps the last
    rs, rm = np.asarray(at_sc, dtype=np.int64), np.asarray(at_mi, dtype=np.int64)
    s0, m0 = int(rs.min()), int(rm.min())
    ns, nm = int(rs.max()) - s0 + 1, int(rm.max()) - m0 + 1
    if ns * nm > 8 * (len(rs) + len(sc)) + 1_000_000:
        return key_index(month_key(sc, mi), month_key(rs, rm))
    table = np.full(ns * nm, -1, dtype=np.int64)
    table[(rs - s0) * nm + (rm - m0)] = np.arange(len(rs))
    s, m = sc - s0, mi - m0
    inside = (s >= 0) & (s < ns) & (m >= 0) & (m < nm)
    out = np.full(len(sc), -1, dtype=np.int64)
    out[inside] = table[s[inside] * nm + m[inside]]
    return out


def record_rows(sc, mi, at_sc, at_mi) -> np.ndarray:
    """:func:`month_rows` (row of the unique (``at_sc``, ``at_mi``) pairs holding each
    (``sc``, ``mi``) pair, -1 where none) for (``sc``, ``mi``) pairs strictly increasing by person, then month (as
    :func:`~orgraph.analyses.panel.caseload_runs` has them): the lookup is run the other way, into these sorted
    pairs, and inverted, so the (``at_sc``, ``at_mi``) pairs are never sorted. Other pairs: ``month_rows``.

    Examples
    --------
    >>> record_rows(np.array([0, 2, 2, 5]), np.array([600, 601, 603, 600]), [2, 0, 2], [601, 600, 602]).tolist()
    [1, 0, -1, -1]
    """
    sc, mi = np.asarray(sc, dtype=np.int64), np.asarray(mi, dtype=np.int64)
    if len(sc) > 1 and not ((sc[1:] > sc[:-1]) | ((sc[1:] == sc[:-1]) & (mi[1:] > mi[:-1]))).all():
        return month_rows(sc, mi, at_sc, at_mi)
    back = month_rows(at_sc, at_mi, sc, mi)          # each (at_sc, at_mi) pair's row here: a bijection on matches
    hit = np.flatnonzero(back >= 0)
    out = np.full(len(sc), -1, dtype=np.int64)
    out[back[hit]] = hit
    return out


def _sorted_month_rows(sc, mi, rs, rm) -> np.ndarray:
    """:func:`month_rows` for (``rs``, ``rm``) pairs in strictly increasing (staff, month) order: a staff member
    whose months have no gap holds month ``mi`` at row ``block start + mi - first month`` when ``mi`` is inside
    the block's months (tables as long as the staff codes, a few passes over the queries); the queries on staff
    whose months have gaps are binary-searched (:func:`key_index`), as are all of them when the staff codes are
    far sparser than the rows.

    Examples
    --------
    >>> _sorted_month_rows(np.array([0, 0, 2, 2, 2, 5]), np.array([600, 602, 601, 603, 599, 600]),
    ...                    np.array([0, 0, 2, 2]), np.array([600, 601, 601, 603])).tolist()
    [0, -1, 2, 3, -1, -1]
    """
    lo = min(int(rs[0]), int(sc.min()))
    n_s = max(int(rs[-1]), int(sc.max())) - lo + 1
    if n_s > 4 * (len(rs) + len(sc)) + 65_536:
        return key_index(month_key(sc, mi), month_key(rs, rm))
    count = np.bincount(rs - lo, minlength=n_s)
    start = np.cumsum(count) - count                # first row of each staff code's block
    has = np.flatnonzero(count)
    first_m = np.zeros(n_s, dtype=np.int64)
    last_m = np.zeros(n_s, dtype=np.int64)
    first_m[has] = rm[start[has]]
    last_m[has] = rm[start[has] + count[has] - 1]
    gappy = last_m - first_m + 1 != count           # (staff without rows: count 0, span 1)
    gappy[count == 0] = False
    end_m = np.where(gappy, first_m, first_m + count)   # the months read off the block: none where there are gaps
    base = start - first_m
    del start, last_m, has
    s = sc - lo
    out = np.where((mi >= first_m[s]) & (mi < end_m[s]), base[s] + mi, -1)
    if gappy.any():
        q = np.flatnonzero(gappy[s])                # a staff member with gaps: search
        if len(q):
            out[q] = key_index(month_key(sc[q], mi[q]), month_key(rs, rm))
    return out


def _panel(org: OrgGraph, cut: pd.Timestamp, role_kind: str = "clinician") -> dict[str, np.ndarray]:
    """Person-months as arrays: caseload per FTE ``x`` in month m, at-risk share ``exposure`` and ``event`` (exits)
    in month m+1, ``tenure_months`` at the start of m+1 (at risk only inside the export window: the person-time
    panel, :func:`~orgraph.analyses.persontime.person_time`). One row per caseload record (file order) of someone
    in a ``role_kind`` seat that month who is at risk in the next.

    Sums per (person, month) go by ``np.add.reduceat`` over the panel's runs and the caseload staff codes are the
    org's shared ones (:func:`~orgraph.analyses.persontime.staff_codes`): no frame, no hash of the ids."""
    cl = org.data.caseload
    empty = {"x": np.zeros(0), "exposure": np.zeros(0), "event": np.zeros(0, dtype=np.int64),
             "tenure_months": np.zeros(0)}
    if not len(cl):
        return empty
    pt = person_time(org, cut)
    if not len(pt):
        return empty
    sc, mi = pt["sc"].to_numpy(), pt["mi"].to_numpy()
    first = np.ones(len(pt), dtype=bool)
    first[1:] = (sc[1:] != sc[:-1]) | (mi[1:] != mi[:-1])
    head = np.flatnonzero(first)
    del first
    ksc, kmi = sc[head], mi[head]
    pdays = pt["days"].to_numpy()
    days = np.add.reduceat(pdays, head)             # whole days: the same numbers as a float bincount
    exits = np.add.reduceat(pt["exit"].to_numpy() & (pdays > 0), head, dtype=np.int64)
    rk_code, rk_values = column_codes(pt, "role_kind")          # shared codes of the panel, not a string compare
    want = np.flatnonzero(rk_values == role_kind)
    is_role = rk_code[head] == want[0] if len(want) else np.zeros(len(head), dtype=bool)
    del head
    # the caseload rows (in file order) of people in a ``role_kind`` seat that month
    month = cl["month"].to_numpy()
    rows = np.flatnonzero(month < np.datetime64(cut))
    cm = month_index(month[rows])
    csc = staff_codes(org, cl["staff_id"])[rows]    # the shared column's codes (looked up once per org)
    at = month_rows(csc, cm, ksc, kmi)
    ok = np.flatnonzero((at >= 0) & is_role[np.maximum(at, 0)])
    del at, is_role
    rows, cm, csc = rows[ok], cm[ok], csc[ok]
    del ok
    nxt = month_rows(csc, cm + 1, ksc, kmi)
    del ksc, kmi
    m1 = month_start(cm + 1)
    m2 = month_start(cm + 2)
    del cm
    exposure = np.where(nxt >= 0, days[np.maximum(nxt, 0)], 0.0) / ((m2 - m1) // np.timedelta64(1, "D"))
    del m2, days
    keep = np.flatnonzero(exposure > 0)
    rows, csc, nxt, m1, exposure = rows[keep], csc[keep], nxt[keep], m1[keep], exposure[keep]
    sf = org.staff_frame
    fte = sf["fte"].astype(float).where(lambda f: f > 0, 1.0).to_numpy()
    tenure = m1 - sf["hire"].to_numpy()[csc]
    del m1
    tenure_days = np.where(np.isnat(tenure), np.nan, tenure // np.timedelta64(1, "D"))
    del tenure
    return {
        "x": cl["active_clients"].to_numpy()[rows].astype(float) / fte[csc],
        "exposure": exposure,
        "event": np.where(nxt >= 0, exits[np.maximum(nxt, 0)], 0).astype(int),
        "tenure_months": tenure_days / 30.4375,
    }


def caseload_hazard(org: OrgGraph, *, as_of=None) -> dict:
    """The org's own relation between clinicians' caseload per FTE and their exit hazard.

    Parameters
    ----------
    org : OrgGraph
        Needs caseload.csv.
    as_of : date, optional
        Fit on history up to this day.

    Returns
    -------
    dict
        ``fitted`` (False when the history is too thin), ``reason`` (why not),
        ``method``, ``exits``, ``person_months``, ``mean_caseload_per_fte``,
        ``hazard_ratio_per_10`` with ``ci_low``/``ci_high``/``p_value`` (from
        the fit, when there is one), ``used`` (the relation scenarios use:
        ``hazard_ratio_per_10``, ``ci_low``, ``ci_high``, ``coef_per_client``,
        ``coef_low``, ``coef_high``, ``source``) and a ``sentence``.

    Raises
    ------
    AnalysisError
        When the org has no caseload data.

    Notes
    -----
    Each row is a clinician-month *m* with caseload ``x`` = active clients /
    FTE; the outcome is an exit in month *m+1* and the exposure the share of
    month *m+1* they were employed. Using the previous month's caseload keeps
    the clients transferred away from a leaver out of the covariate. The model
    also has one term per tenure band (:data:`TENURE_BAND_MONTHS`, months since hire),
    because new hires build their caseload while their exit hazard is highest.
    The hazard ratio per 10 clients is ``exp(10 b)`` with a Wald interval.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> caseload_hazard(demo_org())
    Traceback (most recent call last):
    ...
    orgraph.errors.AnalysisError: the caseload relation needs caseload.csv (active clients per staff member per month)
    """
    if not len(org.data.caseload):
        raise AnalysisError("the caseload relation needs caseload.csv (active clients per staff member per month)")
    s = scenario_settings(org)
    cut = analysis_cut(org, as_of)
    p = _panel(org, cut)
    n = len(p["x"])
    x = pd.Series(p["x"])                           # pandas' sum, mean and std, as the answers have them
    n_ev = int(p["event"].sum()) if n else 0
    res = {"fitted": False, "reason": None,
           "method": "Poisson regression of exits in month m+1 on caseload per FTE in month m, adjusted for "
                     "tenure band (person-months)",
           "exits": n_ev, "person_months": round(float(pd.Series(p["exposure"]).sum()), 1) if n else 0.0,
           "mean_caseload_per_fte": round(float(x.mean()), 2) if n else None,
           "hazard_ratio_per_10": None, "ci_low": None, "ci_high": None, "p_value": None}
    if n_ev < int(s["min_exits"]):
        res["reason"] = (f"only {n_ev} clinician exits with caseload data (at least {s['min_exits']} "
                         f"are needed to fit the relation)")
    elif x.std() == 0:
        res["reason"] = "every clinician had the same caseload, so no relation can be fitted"
    else:
        try:
            ev, ex = p["event"].astype(float), p["exposure"]
            beta, cov = _poisson_fit(p["x"], ev, ex, _tenure_dummies(p["tenure_months"], ev, ex))
            b, se = float(beta[1]), float(math.sqrt(cov[1, 1]))
        except (np.linalg.LinAlgError, FloatingPointError, ValueError, OverflowError):
            b, se = float("nan"), float("nan")
        if not (math.isfinite(b) and math.isfinite(se)):
            res["reason"] = "the fit did not converge"
        else:
            hr, lo, hi = (math.exp(10 * b), math.exp(10 * (b - _Z * se)), math.exp(10 * (b + _Z * se)))
            res.update({"hazard_ratio_per_10": round(hr, 4), "ci_low": round(lo, 4), "ci_high": round(hi, 4),
                        "coef_per_client": b, "se": se,
                        "p_value": float(2 * _normal_sf(abs(b / se))) if se > 0 else None})
            if hi / lo > float(s["max_ci_ratio"]):
                res["reason"] = (f"the 95% interval ({lo:.2f} to {hi:.2f} per 10 clients) is too wide to rely on "
                                 f"(wider than {s['max_ci_ratio']:g}-fold)")
            else:
                res["fitted"] = True
    if res["fitted"]:
        b, se = res["coef_per_client"], res["se"]
        res["used"] = {"hazard_ratio_per_10": res["hazard_ratio_per_10"], "ci_low": res["ci_low"],
                       "ci_high": res["ci_high"], "coef_per_client": b, "coef_low": b - _Z * se,
                       "coef_high": b + _Z * se, "source": "fitted on this org's history"}
        pct = (res["hazard_ratio_per_10"] - 1) * 100
        word = "higher" if pct >= 0 else "lower"
        res["sentence"] = (
            f"In this org, each 10 more active clients per clinical FTE went with a {abs(pct):.0f}% {word} "
            f"monthly exit hazard (95% interval {res['ci_low']:.2f} to {res['ci_high']:.2f} times; "
            f"{n_ev:,} exits over {res['person_months']:,.0f} clinician-months).")
    else:
        hr = float(s["hazard_ratio_per_10_clients"])
        b = math.log(hr) / 10
        res["used"] = {"hazard_ratio_per_10": hr, "ci_low": None, "ci_high": None, "coef_per_client": b,
                       "coef_low": None, "coef_high": None,
                       "source": "documented default estimate ([scenario] hazard_ratio_per_10_clients), "
                                 "not fitted on this org"}
        res["sentence"] = (f"This org's history is too thin to fit its own caseload-exit relation ({res['reason']}); "
                           f"scenarios use the documented default of {hr:.2f} times the exit hazard per 10 more "
                           f"clients per FTE, labelled as an estimate.")
    return res


def exit_rates(org: OrgGraph, *, as_of=None, months: int | None = None, program: str | None = None) -> dict:
    """Exits per person-year by role kind over the ``months`` before ``as_of``.

    Person-time and exits come from the person-time panel
    (:func:`~orgraph.analyses.persontime.person_time`, inside the export
    window only): a day counts for the role kind (and program) of the seat
    held on it, an exit for the seat held on the last day.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
    months : int, optional
        Default ``[scenario] baseline_months``.
    program : str, optional
        Only seats in this program.

    Returns
    -------
    dict
        ``{role_kind: {"exits", "person_years", "rate"}}`` (``rate`` is None
        without person-time) and ``window`` (``start``, ``end``).

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> r = exit_rates(demo_org(), months=12)
    >>> r["clinician"]["exits"], round(r["clinician"]["person_years"], 2), round(r["clinician"]["rate"], 3)
    (5, 5.71, 0.876)
    """
    s = scenario_settings(org)
    months = int(months if months is not None else s["baseline_months"])
    cut = analysis_cut(org, as_of)
    w0 = max(cut - pd.DateOffset(months=months), pd.Timestamp(org.data_start))
    pt = person_time(org, cut)
    if program is not None:
        pt = pt[pt["program_id"] == program]
    lo = pt["risk_start"].clip(lower=w0)
    days = (pt["end"] - lo).dt.days.clip(lower=0)
    ev = pt["exit"] & (days > 0)
    out = {"window": {"start": iso(w0), "end": iso(cut - pd.Timedelta(days=1))}}
    for rk in ("clinician", "supervisor", "director", "admin", "other"):
        m = (pt["role_kind"] == rk).to_numpy()
        py = float(days[m].sum()) / 365.25
        n = int(ev[m].sum())
        out[rk] = {"exits": n, "person_years": round(py, 4), "rate": (n / py) if py > 0 else None}
    return out
