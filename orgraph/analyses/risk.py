"""The cascade-risk list: who is likely to leave next, and why -- and whether the list has earned trust.

For everyone employed on ``as_of`` the list shows which of six risk factors
apply, their tenure band, and a score whose weights the org's own history sets:

``supervisor_left``
    a supervisor of theirs left in the last ``[cascades] window_days`` (180) days;
``overloaded_supervisor``
    their supervisor is one that :func:`orgraph.analyses.overload.overloaded_supervisors`
    flags with the data up to ``as_of`` (span, supervisees' caseload and
    supervision delivered against the ``[overload]`` limits) -- the same
    supervisors ``orgraph overload`` lists. Unlike the other factors this one is
    judged once, over the whole history up to ``as_of``, and applied to every
    month in which the person reported to that supervisor;
``churn_seat``
    at least ``[churn] min_holders - 1`` holders left their seat in the last
    ``[churn] window_months`` months (so they are at least the third holder);
``sustained_high_caseload``
    caseload above the ``[caseload] percentile`` for the last
    ``[caseload] consecutive_months`` complete months;
``high_doc_burden``
    documentation ratio at or above ``[docburden] threshold`` in the last
    complete month;
``supervisor_high_risk``
    their supervisor's own factors (the five above) give a relative hazard of at
    least ``[risk] supervisor_high_hr`` (2.0).

Weights
-------
The weights are log hazard ratios from a **Poisson regression on person-months**
before ``as_of`` (a piecewise-exponential proportional-hazards model, the
person-time counterpart of a Cox model with time-varying covariates): each
person-month contributes its days at risk (log offset) and whether the person
left, with the six factors and the tenure band as they stood at the start of
the month. All six factors are fitted together and with the tenure bands
(:data:`TENURE_BANDS`: under 6 months, 6-12 months, 1-2 years, 2 years or
more since hire), so overlapping factors are not double-counted and a factor
common among new hires is not credited with the exits that tenure explains.
The reference band is the one with the most person-time among the bands with
exits; a band with no exits, or with less than half a person-year, is folded
into it. The hazard ratios come with Wald 95% intervals.

A factor gets weight 0 when it did not raise exits in this org's history
(hazard ratio at or below 1) and is not fitted at all (``fitted`` false,
weight 0) when nobody or everybody had it, when fewer than 2 of the people
exposed left, or when it covers less than half a person-year: such a factor
cannot be weighed, and a coefficient fitted on two person-days is noise that
would rank whoever has it first. Should the fit still fail (a singular
information matrix, or a coefficient running off to infinity), the least
exposed of the offending terms is left out and the rest refitted, so the list
never fails on one rare factor. The ``supervisor_high_risk`` factor uses the
weights of a first fit of the other five.

The score is the sum of the weights of the factors that apply plus the
coefficient of the person's tenure band (0 for the reference band; negative
when the band leaves less often than the reference, so tenure is not clipped
like the factors). It is reported as a relative hazard (``exp(score)``: times
the exit rate of someone with no factor in the reference band) and as the
probability of leaving within ``[risk] horizon_days`` (90) at that rate.

Validation
----------
:func:`risk_validation` asks whether such a list would have worked: it fits
the weights on the history before ``as_of - horizon_days`` (the training day),
scores everyone employed then, and compares the scores with who actually left
in the ``horizon_days`` that followed. The list is withheld when that check
cannot tell it apart from chance (Harrell's concordance with a 95% interval
that reaches 0.5) or when fewer than :data:`MIN_CHECK_EXITS` exits happened in
the horizon; :func:`risk_list` runs the check for its own ``as_of`` and says so
in its summary.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..stats import poisson_regression
from ..settings import analysis_cut
from ..plain import plural
from .panel import DAYS_PER_YEAR, cached, jsonable, month_index, month_start, rounded, setting_of
from .departures import factor_context, grid_lookup, in_ids, monthly_factors

__all__ = ["risk_list", "risk_validation", "concordance", "RISK_FACTORS", "TENURE_BANDS"]

RISK_FACTORS = ("supervisor_left", "overloaded_supervisor", "churn_seat", "sustained_high_caseload",
                "high_doc_burden", "supervisor_high_risk")
#: Tenure bands of the risk model: (label, first day of tenure *not* in the band). The day limits are
#: those of :data:`orgraph.analyses.departures.TENURE_BANDS` (6, 12 and 24 months), with 2 years or more as one band.
TENURE_BANDS = (("under 6 months", 183), ("6-12 months", 365), ("1-2 years", 730), ("2 years or more", None))
#: A factor (or tenure band) needs this many exits among the people exposed to be fitted.
MIN_FACTOR_EXITS = 2
#: ... and at least this many person-years of exposure.
MIN_FACTOR_PERSON_YEARS = 0.5
#: The check of the list needs at least this many exits in the horizon.
MIN_CHECK_EXITS = 5
_OWN = RISK_FACTORS[:5]
_Z = 1.959963984540054
_MAX_COEF, _MAX_SE = 20.0, 10.0      # a log hazard ratio beyond +-20 (x5e8) or a SE above 10 is a failed fit
_SETTINGS = ("window_days", "supervisor_high_hr", "min_exits")


def _overloaded(org, day) -> dict:
    """Supervisors flagged by the overload analysis with data up to ``day``: id -> reasons."""
    from .overload import flagged_supervisors

    return flagged_supervisors(org, as_of=day)


def _flags(org, f, window: int, overloaded: dict) -> dict[str, np.ndarray]:
    """The five own factors of each row of ``f`` (a frame, or columns as arrays with ``supervisor_id`` a
    Series): factor -> bool array."""
    holders = int(setting_of(org, "churn", "min_holders"))
    k = int(setting_of(org, "caseload", "consecutive_months"))
    thr = float(setting_of(org, "docburden", "threshold"))
    return {
        "supervisor_left": np.asarray(f["sup_left_days"]) < window,
        "overloaded_supervisor": in_ids(f["supervisor_id"], overloaded),
        "churn_seat": np.asarray(f["seat_departures"]) >= holders - 1,
        "sustained_high_caseload": np.asarray(f["caseload_run"]) >= k,
        "high_doc_burden": np.asarray(f["doc_ratio"]) >= thr,
    }


def _band(tenure_days) -> np.ndarray:
    """Index into :data:`TENURE_BANDS` of each tenure in days."""
    limits = np.asarray([upper for _, upper in TENURE_BANDS[:-1]])
    t = np.asarray(tenure_days)
    if t.dtype.kind not in "iu":                 # whole days compare as they are; anything else as floats
        t = t.astype(float)
    return np.searchsorted(limits.astype(t.dtype), t, side="right")


def _poisson_fit(X: np.ndarray, events: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors (intercept first) of a slightly ridged Poisson fit on cells."""
    coef, cov = poisson_regression(np.column_stack([np.ones(len(X)), X]), events, days, ridge=1e-4, max_iter=50,
                                   tol=1e-9)
    with np.errstate(invalid="ignore"):
        return coef, np.sqrt(np.diag(cov))


def _rare(days: float, exits: int) -> str | None:
    """Why a factor or band with this exposure cannot be weighed (None when it can)."""
    if exits < MIN_FACTOR_EXITS:
        return f"fewer than {MIN_FACTOR_EXITS} exits among the people exposed"
    if days < MIN_FACTOR_PERSON_YEARS * DAYS_PER_YEAR:
        return f"less than {MIN_FACTOR_PERSON_YEARS:g} person-years of exposure"
    return None


def _fit(flags: dict, band: np.ndarray, events: np.ndarray, days: np.ndarray, names) -> dict:
    """Fit the factors ``names`` and the tenure bands on cells (one per combination); never raises.

    Returns ``factors`` (per-factor records), ``tenure`` (per-band records), ``band_weight`` (the coefficient of
    each band, 0 for the reference and folded bands), ``log_base_rate`` and ``dropped`` (term, reason).
    """
    names = list(names)
    nb = len(TENURE_BANDS)
    mask = {n: np.asarray(flags[n], dtype=bool) for n in names}
    if _whole(days) and _whole(events):
        # whole numbers sum exactly in any order: every sum below is read off one table of the sums per
        # combination of the factors and the band (at most 2**6 * 4 cells) instead of off every row again
        events, days, band, mask = _combinations([mask[n] for n in names], band, nb, events, days, names)
    total = float(days.sum())
    exposure = {n: (float(days[mask[n]].sum()), int(events[mask[n]].sum())) for n in names}
    why: dict[str, str] = {}
    for n in names:
        d, e = exposure[n]
        why_n = ("nobody had it" if d <= 0 else "everyone had it" if d >= total else _rare(d, e))
        if why_n:
            why[n] = why_n
    b_days = np.bincount(band, weights=days, minlength=nb)
    b_exits = np.bincount(band, weights=events, minlength=nb).astype(int)
    candidates = [b for b in range(nb) if b_exits[b] > 0] or list(range(nb))
    ref = max(candidates, key=lambda b: (b_days[b], -b))
    band_why = {}
    for b in range(nb):
        if b == ref:
            continue
        if b_exits[b] == 0:
            band_why[b] = "no exits" if b_days[b] > 0 else "no person-time"
        elif b_days[b] < MIN_FACTOR_PERSON_YEARS * DAYS_PER_YEAR:
            band_why[b] = f"less than {MIN_FACTOR_PERSON_YEARS:g} person-years"
    terms = [n for n in names if n not in why] + [b for b in range(nb) if b != ref and b not in band_why]
    size = {**{n: exposure[n][0] for n in names}, **{b: b_days[b] for b in range(nb)}}
    coef = se = None
    while terms:
        x, e, d = _cells([mask[t] if isinstance(t, str) else band == t for t in terms], events, days)
        try:
            coef, se = _poisson_fit(x, e, d)
            bad = [t for i, t in enumerate(terms, start=1)
                   if not (np.isfinite(coef[i]) and np.isfinite(se[i]) and abs(coef[i]) <= _MAX_COEF
                           and se[i] <= _MAX_SE)]
            if not np.isfinite(coef[0]) and not bad:
                bad = list(terms)
            reason = "the fit did not converge with it"
        except np.linalg.LinAlgError:
            bad, reason = list(terms), "the fit was singular with it"
        if not bad:
            break
        worst = min(bad, key=lambda t: size[t])
        terms.remove(worst)
        (why if isinstance(worst, str) else band_why)[worst] = reason
        coef = se = None
    out = {}
    for n in names:
        d, e = exposure[n]
        rec = {"factor": n, "person_years_exposed": rounded(d / DAYS_PER_YEAR, 2), "exits_exposed": e,
               "hazard_ratio": None, "ci_low": None, "ci_high": None, "weight": 0.0, "fitted": n in terms}
        if n in terms:
            i = terms.index(n) + 1
            b, s = float(coef[i]), float(se[i])
            rec.update(hazard_ratio=math.exp(b), ci_low=math.exp(b - _Z * s), ci_high=math.exp(b + _Z * s),
                       weight=max(b, 0.0))
        out[n] = rec
    tenure, band_weight = [], np.zeros(nb)
    for b, (label, _) in enumerate(TENURE_BANDS):
        rec = {"band": label, "person_years": rounded(b_days[b] / DAYS_PER_YEAR, 2), "exits": int(b_exits[b]),
               "hazard_ratio": 1.0 if b == ref else None, "ci_low": None, "ci_high": None, "weight": 0.0,
               "fitted": b in terms, "reference": b == ref,
               "folded": None if b == ref or b in terms else band_why.get(b)}
        if b in terms:
            i = terms.index(b) + 1
            w, s = float(coef[i]), float(se[i])
            band_weight[b] = w
            rec.update(hazard_ratio=math.exp(w), ci_low=math.exp(w - _Z * s), ci_high=math.exp(w + _Z * s),
                       weight=w)
        tenure.append(rec)
    if coef is not None:
        base = float(coef[0])
    else:
        base = math.log(max(events.sum(), 0.5) / max(total, 1.0))
    dropped = [{"term": n, "reason": why[n]} for n in names if n in why]
    dropped += [{"term": f"tenure {TENURE_BANDS[b][0]}", "reason": band_why[b]} for b in sorted(band_why)]
    return {"factors": out, "tenure": tenure, "band_weight": band_weight, "log_base_rate": base, "dropped": dropped}


def _whole(values: np.ndarray) -> bool:
    """Whether every value is a whole number (sums of them are exact whatever the order)."""
    v = np.asarray(values)
    return v.dtype.kind in "iub" or bool(np.array_equal(v, np.trunc(v)))


def _combinations(masks: list, band: np.ndarray, nb: int, events: np.ndarray, days: np.ndarray, names: list):
    """Events and days summed per combination of the bool columns ``masks`` and the band (``0 .. nb-1``): the
    same ``(events, days, band, mask)`` as the rows give, with one row per combination (those without rows
    have 0 days and 0 events, so no cell, sum or fit changes).

    Examples
    --------
    >>> e, d, b, m = _combinations([np.array([True, False, True])], np.array([1, 0, 1]), 2,
    ...                            np.array([1.0, 0.0, 0.0]), np.array([10.0, 5.0, 7.0]), ["f"])
    >>> e.tolist(), d.tolist(), b.tolist(), m["f"].tolist()
    ([0.0, 0.0, 0.0, 1.0], [5.0, 0.0, 0.0, 17.0], [0, 1, 0, 1], [False, False, True, True])
    """
    k = len(masks)
    size = (1 << k) * nb
    e, d = np.zeros(size), np.zeros(size)
    band = np.asarray(band)
    for a in range(0, len(days), _CHUNK):    # a chunk of rows at a time (whole numbers: the same sums)
        code = np.zeros(len(days[a:a + _CHUNK]), dtype=np.intp)
        for m in masks:
            code <<= 1
            code |= m[a:a + _CHUNK]
        code *= nb
        code += band[a:a + _CHUNK]
        e += np.bincount(code, weights=events[a:a + _CHUNK], minlength=size)
        d += np.bincount(code, weights=days[a:a + _CHUNK], minlength=size)
    cell = np.arange(size)
    bits = cell // nb
    return e, d, cell % nb, {n: ((bits >> (k - 1 - i)) & 1).astype(bool) for i, n in enumerate(names)}


def _cells(cols: list, events: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events and days summed over the combinations of the bool columns ``cols`` that have days: the rows
    ``(combination as floats, events, days)`` in the order of a sorted pandas ``groupby`` (False first)."""
    code = np.zeros(len(events), dtype=np.int16 if len(cols) < 15 else np.int64)
    for c in cols:
        code <<= 1
        code = code | (np.asarray(c, dtype=bool))
    size = 1 << len(cols)
    seen = np.bincount(code, minlength=size) > 0
    e = np.bincount(code, weights=events, minlength=size)
    d = np.bincount(code, weights=days, minlength=size)
    keep = np.flatnonzero(seen & (d > 0))
    bits = (keep[:, None] >> np.arange(len(cols) - 1, -1, -1)[None, :]) & 1
    return bits.astype(float), e[keep], d[keep]


def _supervisor_high(org, f, own_score: np.ndarray, cut: float) -> np.ndarray:
    """Whether each row's supervisor (same month) has an own-factor score of at least ``cut``."""
    if "sup_row" in f:                   # looked up already
        j = f["sup_row"]
    else:
        prev = np.asarray(f["prev_mi"])
        j = grid_lookup(f["sup_sc"], prev, f["sc"], prev)
    j, score = np.asarray(j), np.asarray(own_score, dtype=float)
    high = np.zeros(len(j), dtype=bool)
    for a in range(0, len(j), _CHUNK):       # a chunk of rows at a time: no float copy of every row
        jj = j[a:a + _CHUNK]
        has = jj >= 0
        h = high[a:a + _CHUNK]
        h[has] = score[jj[has]] >= cut       # NaN: not high
    return high


#: Rows handled at a time.
_CHUNK = 1 << 20


def _person(org, sid) -> str:
    """``"name (id)"``, or the id alone for someone without a name or not on the staff list: read off the staff
    frame (the staff records are not built for it).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> sid = org.staff_frame.index[0]
    >>> _person(org, sid) == f"{org.data.staff[sid].name} ({sid})", _person(org, "nobody")
    (True, 'nobody')
    """
    sf = org.staff_frame
    try:
        i = sf.index.get_loc(sid)
    except (KeyError, TypeError):
        return str(sid)
    if not isinstance(i, (int, np.integer)):         # a repeated id: as the records keep, the last one
        i = np.flatnonzero(np.asarray(sf.index == sid))[-1]
    name = sf["name"].iat[int(i)]
    return f"{name} ({sid})" if not _missing(name) and name else str(sid)


def _missing(x) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _details(row, flags: dict, org, overloaded: dict, st: dict) -> list[str]:
    """Sentences on the factors of ``row``; ``st`` holds the ``[churn] window_months`` and ``[caseload]
    percentile`` settings (read once per list, not per person)."""
    out = []
    if flags["supervisor_left"]:
        out.append(f"a supervisor left {int(row.sup_left_days)} days ago")
    if flags["overloaded_supervisor"]:
        why = "; ".join(overloaded.get(row.supervisor_id) or [])
        out.append(f"supervisor {_person(org, row.supervisor_id)} is overloaded" + (f" ({why})" if why else ""))
    if flags["churn_seat"]:
        out.append(f"{plural(int(row.seat_departures), 'earlier holder')} left seat {row.position_id} in "
                   f"{st['window_months']} months")
    if flags["sustained_high_caseload"]:
        out.append(f"caseload above the {st['percentile']:g}th percentile for "
                   f"{int(row.caseload_run)} months ({int(row.caseload)} clients last month)")
    if flags["high_doc_burden"]:
        out.append(f"documentation {row.doc_ratio:.2f} hours per session hour last month")
    if flags["supervisor_high_risk"]:
        out.append(f"supervisor {_person(org, row.supervisor_id)} is at high risk of leaving")
    return out


def _settings(org, window_days=None, supervisor_high_hr=None, min_exits=None) -> dict:
    return {"window_days": int(setting_of(org, "cascades", "window_days", window_days)),
            "supervisor_high_hr": float(setting_of(org, "risk", "supervisor_high_hr", supervisor_high_hr)),
            "min_exits": int(setting_of(org, "risk", "min_exits", min_exits))}


#: The columns of the monthly factor table the model reads.
_HISTORY = ("sc", "mi", "prev_mi", "exit", "days", "tenure_days", "sup_left_days", "seat_departures",
            "caseload_run", "doc_ratio", "sup_sc")


def _history(org, day) -> tuple[dict, int]:
    """Person-months of the complete months on or before ``day`` (the columns the model reads: arrays, and
    ``supervisor_id`` as a Series) and the index of the month of ``day + 1``."""
    cur_mi = int(month_index([pd.Timestamp(day) + pd.Timedelta(days=1)])[0])
    table = monthly_factors(org)
    mi = table["mi"].to_numpy()
    if len(mi) < 2 or (mi[1:] >= mi[:-1]).all():     # in month order (by ref): the history is the first rows
        keep = slice(0, int(np.searchsorted(mi, cur_mi)))      # views of the shared table, no copy
    else:
        keep = mi < cur_mi
    hist = {c: table[c].to_numpy()[keep] for c in _HISTORY}
    hist["supervisor_id"] = table["supervisor_id"][keep]
    if isinstance(keep, slice):          # the first rows: whole months, so each supervisor's row is among them
        hist["sup_row"] = _supervisor_rows(org, table)[keep]
    return hist, cur_mi


def _supervisor_rows(org, table: pd.DataFrame) -> np.ndarray:
    """Row of ``table`` (the shared monthly factor table) of each row's supervisor in the same month (-1 for
    none), found once per table."""
    return cached(org, "monthly_factors:supervisor_rows",
                  lambda: grid_lookup(table["sup_sc"], table["prev_mi"], table["sc"], table["prev_mi"],
                                      dtype=np.int32 if len(table) < 2**31 else np.int64), copy=False)


def _counts(values) -> np.ndarray:
    """Exits or days as :func:`_fit` reads them: whole-number columns (bool, int) as they are (its sums are the
    same as on floats, and no float copy of every row is made), anything else as floats.

    Examples
    --------
    >>> _counts(np.array([True, False])).dtype.kind, _counts(np.array([1.5])).dtype.kind
    ('b', 'f')
    """
    v = np.asarray(values)
    return v if v.dtype.kind in "iub" else v.astype(float)


def _model(org, day, hist: dict, cur_mi: int, st: dict) -> dict | None:
    """Fit the weights on ``hist`` and score everyone employed on ``day`` (None when nobody is)."""
    events, days = _counts(hist["exit"]), _counts(hist["days"])
    band = _band(hist["tenure_days"])
    cut = math.log(st["supervisor_high_hr"])
    overloaded = _overloaded(org, day)
    hf = _flags(org, hist, st["window_days"], overloaded)
    first = _fit(hf, band, events, days, _OWN)
    w1 = np.array([first["factors"][n]["weight"] for n in _OWN])
    hf["supervisor_high_risk"] = _supervisor_high(org, hist, _own_score(hf, w1), cut)
    fit = _fit(hf, band, events, days, RISK_FACTORS)
    w = np.array([fit["factors"][n]["weight"] for n in RISK_FACTORS])
    ts = pd.Timestamp(day)
    sf = org.staff_frame
    emp = sf[(sf["hire"] <= ts) & (sf["end"] > ts) & ~sf["external"].fillna(False).astype(bool)]
    if not len(emp):
        return None
    rows = pd.DataFrame({"staff_id": emp["staff_id"].to_numpy(), "ref": ts, "prev_mi": cur_mi - 1})
    cur = factor_context(org, rows)
    cf = _flags(org, cur, st["window_days"], overloaded)
    cf["supervisor_high_risk"] = _supervisor_high(org, cur, _own_score(cf, w1), cut)
    flags = np.column_stack([cf[n] for n in RISK_FACTORS])
    cur_band = _band(cur["tenure_days"].to_numpy())
    score = flags.astype(float) @ w + fit["band_weight"][cur_band]
    order = np.lexsort((cur["staff_id"].to_numpy(), -flags.sum(axis=1), -np.round(score, 12)))
    return {"fit": fit, "events": events, "days": days, "months": _months(hist["mi"]), "cur": cur,
            "flags": flags, "band": cur_band, "score": score, "order": order, "overloaded": overloaded,
            "base": math.exp(fit["log_base_rate"]), "employed": int(len(emp))}


def _months(mi) -> int:
    """The number of distinct months in ``mi`` (months since 1970-01), counted rather than sorted.

    Examples
    --------
    >>> _months(np.array([640, 638, 640, 641], dtype=np.int32)), _months(np.array([], dtype=np.int32))
    (3, 0)
    """
    mi = np.asarray(mi)
    return int(np.count_nonzero(np.bincount(mi - mi.min()))) if len(mi) else 0


def _own_score(flags: dict, w1: np.ndarray) -> np.ndarray:
    """The five own factors' weights summed per row (the product of the flags with ``w1``).

    The product is taken once per combination of the flags (32 rows) and read off by each row's combination,
    instead of on a float matrix of every row. The first rows are checked against the row-by-row product, which
    is used instead should they differ.

    Examples
    --------
    >>> f = {n: np.array([i % 2 == 0, i == 1, False]) for i, n in enumerate(_OWN)}
    >>> _own_score(f, np.array([0.5, 0.0, 1.25, 0.0, 2.0])).tolist()
    [3.75, 0.0, 0.0]
    """
    cols = [np.asarray(flags[n], dtype=bool) for n in _OWN]
    code = np.zeros(len(cols[0]), dtype=np.uint8)
    for c in cols:
        code <<= 1
        code |= c
    k = len(cols)
    table = ((np.arange(1 << k)[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1).astype(float) @ w1
    head = min(len(code), 4096)
    if not np.array_equal(np.column_stack([c[:head] for c in cols]).astype(float) @ w1, table[code[:head]]):
        return np.column_stack(cols).astype(float) @ w1
    return table[code]


def _too_few(day, n: int, need: int) -> str:
    return (f"only {plural(n, 'exit')} in the history before {day}; the risk weights need at least {need} "
            f"(set [risk] min_exits to lower this)")


def concordance(score, left) -> tuple[float | None, float | None, float | None]:
    """Harrell's C for a binary outcome and its Hanley-McNeil 95% interval.

    ``P(score of a leaver > score of a stayer) + 0.5 P(tie)`` over all
    leaver/stayer pairs, computed from ranks as the Mann-Whitney ``U / (n1 n0)``.

    Parameters
    ----------
    score : array of float
    left : array of bool
        True for the people who left.

    Returns
    -------
    (c, low, high) : tuple of float, or of None when there are no leavers or no stayers
        The interval is ``c +- 1.96 se`` clipped to [0, 1], with the standard
        error of Hanley and McNeil (1982).

    References
    ----------
    J. A. Hanley and B. J. McNeil, "The meaning and use of the area under a
    receiver operating characteristic (ROC) curve", Radiology 143 (1982) 29-36.

    Examples
    --------
    Leavers scored 3, 2 and 1, stayers 1, 0 and 2.5: of the 9 pairs the
    leaver scores higher in 6, one is a tie and two go the wrong way, so
    C = (6 + 0.5) / 9.

    >>> c, lo, hi = concordance([3, 2, 1, 1, 0, 2.5], [True, True, True, False, False, False])
    >>> round(c, 4), round(lo, 3), round(hi, 3)
    (0.7222, 0.281, 1.0)
    """
    s = np.round(np.asarray(score, dtype=float), 12)
    y = np.asarray(left, dtype=bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if not n1 or not n0:
        return None, None, None
    from scipy.stats import rankdata

    u = rankdata(s)[y].sum() - n1 * (n1 + 1) / 2
    c = float(u / (n1 * n0))
    q1, q2 = c / (2 - c), 2 * c * c / (1 + c)
    var = (c * (1 - c) + (n1 - 1) * (q1 - c * c) + (n0 - 1) * (q2 - c * c)) / (n1 * n0)
    se = math.sqrt(max(var, 0.0))
    return c, max(0.0, c - _Z * se), min(1.0, c + _Z * se)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def risk_validation(org, *, as_of=None, horizon_days=None, **settings) -> dict:
    """Would the risk list have worked? Fit it before a past day and check it on the exits that followed.

    The weights are fitted on the complete months on or before the training
    day ``t0 = as_of - horizon_days``, everyone employed on ``t0`` (and still
    employed the day after) is scored exactly as :func:`risk_list` scores, and
    the scores are compared with who left in ``(t0, as_of]``.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Last day of the check; default the last day of data.
    horizon_days : int, optional
        Length of the check; default ``[risk] horizon_days`` (90), the horizon
        of the list's ``exit_probability``.
    **settings
        ``window_days``, ``supervisor_high_hr`` and ``min_exits`` as for
        :func:`risk_list` (``top``, ``program`` and ``supervisor`` are accepted
        and ignored: the check covers everyone).

    Returns
    -------
    dict
        ``concordance`` (Harrell's C: the chance that a leaver scored above a
        stayer, ties counting half), ``ci_low``, ``ci_high`` (Hanley-McNeil
        95% interval), ``exits`` (leavers in the horizon among the people
        scored), ``people`` (people scored), ``trained_until`` (last day of
        the history the weights were fitted on), ``t0`` (the training day),
        ``horizon_days``, ``withheld`` (True when fewer than
        :data:`MIN_CHECK_EXITS` exits happened or ``ci_low <= 0.5``, or when
        the check could not be made), ``reason`` (a sentence saying why it is
        withheld; None otherwise) and ``deciles``: records ``decile`` (1 = the
        tenth with the highest scores), ``people``, ``predicted`` (sum of each
        person's probability of leaving within the horizon at their fitted
        rate, ``1 - exp(-rate * horizon_days)``) and ``observed`` (leavers).

    Raises
    ------
    AnalysisError
        If ``as_of`` is outside the data.
    TypeError
        For a setting :func:`risk_list` does not have.

    Notes
    -----
    The concordance is computed from ranks (Mann-Whitney ``U / (n1 n0)``,
    average ranks for ties), see :func:`concordance`. A list that cannot rank
    leavers above stayers better than chance on its own org's recent past is
    withheld rather than shown.

    Examples
    --------
    The example org has no exit before its training day, so nothing can be checked:

    >>> from orgraph.analyses._demo import example_org
    >>> v = risk_validation(example_org(), as_of="2022-04-30", min_exits=1)
    >>> v["withheld"], v["concordance"], v["trained_until"]
    (True, None, '2021-12-31')
    >>> v["reason"]
    'Too little history to check the list: only 0 exits before 2022-01-30 to fit the weights on (at least 1 needed); it is not shown.'
    """
    unknown = sorted(set(settings) - set(_SETTINGS) - {"top", "program", "supervisor"})
    if unknown:
        raise TypeError(f"risk_validation() got unexpected setting(s): {', '.join(unknown)}")
    day = (analysis_cut(org, as_of) - pd.Timedelta(days=1)).date()
    horizon = int(setting_of(org, "risk", "horizon_days", horizon_days))
    st = _settings(org, **{k: settings.get(k) for k in _SETTINGS})
    t0 = day - pd.Timedelta(days=horizon).to_pytimedelta()
    out = {"concordance": None, "ci_low": None, "ci_high": None, "exits": 0, "people": 0, "trained_until": None,
           "t0": t0.isoformat(), "horizon_days": horizon, "withheld": True, "reason": None, "deciles": []}
    if t0 < org.data_start:
        out["reason"] = (f"Too little history to check the list: the check would be trained on the days before "
                         f"{t0}, before the first day of data ({org.data_start}); it is not shown.")
        return out
    hist, cur_mi = _history(org, t0)
    out["trained_until"] = (pd.Timestamp(month_start([cur_mi])[0]) - pd.Timedelta(days=1)).date().isoformat()
    n_hist = int(hist["exit"].sum())
    if n_hist < st["min_exits"] or not len(hist["exit"]):
        out["reason"] = (f"Too little history to check the list: only {n_hist} exits before {t0} to fit the "
                         f"weights on (at least {st['min_exits']} needed); it is not shown.")
        return out
    m = _model(org, t0, hist, cur_mi, st)
    sf = org.staff_frame
    if m is not None:
        ex = sf["exit"].to_numpy()[m["cur"]["sc"].to_numpy()]
        keep = ~(ex <= np.datetime64(t0))                     # still employed the day after t0
    if m is None or not keep.any():
        out["reason"] = f"Nobody was employed on {t0} to check the list on; it is not shown."
        return out
    left = (ex <= np.datetime64(day))[keep]
    score = m["score"][keep]
    rate = m["base"] * np.exp(score)
    prob = 1 - np.exp(-rate * horizon)
    order = [i for i in m["order"] if keep[i]]
    pos = np.cumsum(keep) - 1
    order = pos[np.asarray(order, dtype=int)]
    deciles = []
    for k, idx in enumerate(np.array_split(order, 10), start=1):
        if len(idx):
            deciles.append({"decile": k, "people": int(len(idx)), "predicted": rounded(prob[idx].sum(), 2),
                            "observed": int(left[idx].sum())})
    c, lo, hi = concordance(score, left)
    n1 = int(left.sum())
    out.update(concordance=rounded(c), ci_low=rounded(lo), ci_high=rounded(hi), exits=n1, people=int(keep.sum()),
               deciles=deciles)
    if n1 < MIN_CHECK_EXITS:
        out["reason"] = f"Too few exits ({n1}) after {t0} to check the list; it is not shown."
    elif c is None:
        out["reason"] = f"Everyone employed on {t0} left by {day}, so the list cannot be checked; it is not shown."
    elif lo <= 0.5:
        verdict = "worse than chance" if hi < 0.5 else "no better than chance"
        out["reason"] = (f"Checked on the {n1} exits after {t0}, the list ranked leavers above stayers "
                         f"{_pct(c)} of the time (95% interval {_pct(lo)}–{_pct(hi)}): {verdict}, so it is not "
                         f"shown.")
    else:
        out["withheld"] = False
    return out


def risk_list(org, *, as_of=None, top=None, program=None, supervisor=None, window_days=None,
              supervisor_high_hr=None, min_exits=None, horizon_days=None) -> Result:
    """People employed on ``as_of``, ranked by a risk score fitted on the org's history, with its check.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Default: the last day of data. Weights are fitted on complete months
        on or before ``as_of`` only.
    top : int, optional
        Keep the first ``top`` people (after the filters).
    program, supervisor : str, optional
        Keep only people in this program / with this current supervisor.
    window_days : int, optional
        "Supervisor left" window; default ``[cascades] window_days`` (180).
    supervisor_high_hr, min_exits, horizon_days : optional
        Default: the ``[risk]`` settings (2.0, 10, 90).

    Returns
    -------
    Result
        ``table``: one record per person employed on ``as_of`` (``rank``,
        ``staff_id``, ``name``, ``role_kind``, ``program_id``,
        ``position_id``, ``supervisor_id``, ``tenure_days``,
        ``tenure_band``, ``factors``, ``details``, ``score``,
        ``relative_hazard``, ``exit_probability``; ranked by score, then
        number of factors, then id). The records are there even when the list
        is withheld: whoever shows them decides.
        ``extras``: ``method``, ``weights`` (records: ``factor``,
        ``hazard_ratio``, ``ci_low``, ``ci_high``, ``weight``, ``fitted``,
        ``person_years_exposed``, ``exits_exposed``; adjusted for tenure),
        ``tenure_weights`` (records: ``band``, ``person_years``, ``exits``,
        ``hazard_ratio`` against the ``reference`` band, ``ci_low``,
        ``ci_high``, ``weight``, ``fitted``, ``folded`` -- why a band was
        folded into the reference), ``dropped`` (terms left out of the fit
        and why), ``baseline_exit_rate_per_year`` (no factor, reference band),
        ``fit`` (``exits``, ``person_years``, ``months``), ``employed``,
        ``with_factors`` and ``validation`` (:func:`risk_validation` for this
        ``as_of``).

    Raises
    ------
    AnalysisError
        If fewer than ``min_exits`` exits happened before ``as_of`` (too little
        history to weigh the factors), or nobody is employed on ``as_of``.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = risk_list(example_org(), as_of="2022-04-30", min_exits=1)
    >>> [(r["staff_id"], r["factors"]) for r in res.table[:2]]
    [('C1', ['supervisor_left', 'sustained_high_caseload', 'high_doc_burden']), ('C2', ['supervisor_left'])]
    >>> res.extras["validation"]["withheld"]
    True
    >>> print(res.summary)
    On 2022-04-30, 3 of 4 staff had at least one risk factor. The ranked list is withheld. Too little history to check the list: only 0 exits before 2022-01-30 to fit the weights on (at least 1 needed); it is not shown.
    """
    day = (analysis_cut(org, as_of) - pd.Timedelta(days=1)).date()
    st = _settings(org, window_days, supervisor_high_hr, min_exits)
    horizon = int(setting_of(org, "risk", "horizon_days", horizon_days))
    hist, cur_mi = _history(org, day)
    if hist["exit"].sum() < st["min_exits"]:
        raise AnalysisError(_too_few(day, int(hist["exit"].sum()), st["min_exits"]))
    m = _model(org, day, hist, cur_mi, st)
    if m is None:
        raise AnalysisError(f"nobody was employed on {day}")
    fit, cur, score, base = m["fit"], m["cur"], m["score"], m["base"]
    records = []
    rows_ = list(cur[["staff_id", "sc", "role_kind", "program_id", "position_id", "supervisor_id", "tenure_days",
                      "sup_left_days", "seat_departures", "caseload_run", "caseload", "doc_ratio"]]
                 .itertuples(index=False))                  # the columns read (no dates boxed per row)
    texts = {"window_months": int(setting_of(org, "churn", "window_months")),
             "percentile": float(setting_of(org, "caseload", "percentile"))}
    names = org.staff_frame["name"].to_numpy()
    order = np.asarray(m["order"])
    # each person's numbers as Python values, read once per column (the records are made in rank order)
    sc_o, band_o = cur["sc"].to_numpy()[order].tolist(), m["band"][order].tolist()
    score_o, flags_o = score[order].tolist(), m["flags"][order].tolist()
    band_names = [label for label, _ in TENURE_BANDS]
    for rank, (i, sc_i, band_i, s, fl_i) in enumerate(zip(order.tolist(), sc_o, band_o, score_o, flags_o),
                                                    start=1):
        row = rows_[i]
        rh = math.exp(s)
        factors = [n for n, on in zip(RISK_FACTORS, fl_i) if on]
        records.append({
            "rank": rank, "staff_id": row.staff_id, "name": names[sc_i],
            "role_kind": row.role_kind, "program_id": jsonable(row.program_id),
            "position_id": jsonable(row.position_id), "supervisor_id": jsonable(row.supervisor_id),
            "tenure_days": int(row.tenure_days), "tenure_band": band_names[band_i],
            "factors": factors,
            "details": _details(row, dict(zip(RISK_FACTORS, fl_i)), org, m["overloaded"], texts) if factors else [],
            "score": _round(s, 4), "relative_hazard": _round(rh, 3),
            "exit_probability": _round(1 - math.exp(-base * rh * horizon), 4),
        })
    with_factors = sum(1 for r in records if r["factors"])
    if program is not None:
        records = [r for r in records if r["program_id"] == program]
    if supervisor is not None:
        records = [r for r in records if r["supervisor_id"] == supervisor]
    if top is not None:
        records = records[: int(top)]
    weights = [jsonable(fit["factors"][n]) for n in RISK_FACTORS]
    tenure = [jsonable(t) for t in fit["tenure"]]
    validation = risk_validation(org, as_of=day, horizon_days=horizon, **st)
    settings = {**st, "horizon_days": horizon, "program": program, "supervisor": supervisor, "top": top}
    summary = _summary(records, m["employed"], with_factors, weights, tenure, day, horizon, validation)
    return Result("risk", day.isoformat(), settings, records, summary, {
        "method": ("Poisson regression on person-months before as_of (piecewise-exponential proportional hazards) "
                   "with tenure bands; weights = tenure-adjusted log hazard ratios, 0 when the hazard ratio is 1 or "
                   "less or the factor is too rare to weigh; score = factor weights + tenure band coefficient; "
                   "checked on the exits of the last horizon_days with weights fitted before them"),
        "weights": weights, "tenure_weights": tenure, "dropped": fit["dropped"],
        "baseline_exit_rate_per_year": rounded(base * DAYS_PER_YEAR),
        "fit": {"exits": int(m["events"].sum()), "person_years": rounded(m["days"].sum() / DAYS_PER_YEAR, 1),
                "months": m["months"]},
        "employed": m["employed"], "with_factors": with_factors, "validation": validation})


def _round(x: float, nd: int):
    """:func:`~orgraph.analyses.panel.rounded` of a Python float (None for NaN), without its type checks.

    Examples
    --------
    >>> _round(0.123456, 4), _round(float("nan"), 3)
    (0.1235, None)
    """
    return None if x != x else round(x, nd)


def _summary(records, employed, with_factors, weights, tenure, day, horizon, validation) -> str:
    strong = sorted((w for w in weights if w["hazard_ratio"] and w["weight"] > 0),
                    key=lambda w: -w["hazard_ratio"])
    text = f"On {day}, {with_factors} of {employed} staff had at least one risk factor."
    if strong:
        w = strong[0]
        text += (f" In this org's history the strongest was {w['factor'].replace('_', ' ')}: "
                 f"{w['hazard_ratio']:.1f} times the exit rate (95% CI {w['ci_low']:.1f}-{w['ci_high']:.1f}).")
    if validation["withheld"]:
        return f"{text} The ranked list is withheld. {validation['reason']}"
    band_w = {t["band"]: t["weight"] for t in tenure}
    if records and (records[0]["score"] or 0) > 0:
        r = records[0]
        why = [f.replace("_", " ") for f in r["factors"]]
        if band_w.get(r["tenure_band"], 0) > 0:
            why.append(f"tenure {r['tenure_band']}")
        text += (f" Highest risk: {r['staff_id']} ({', '.join(why)}), {100 * r['exit_probability']:.0f}% chance of "
                 f"leaving in the next {horizon} days at that rate.")
    return (f"{text} Checked on past exits, the list ranked leavers above stayers {_pct(validation['concordance'])} "
            f"of the time (95% interval {_pct(validation['ci_low'])}–{_pct(validation['ci_high'])}).")
