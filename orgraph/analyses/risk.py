"""The cascade-risk list: who is likely to leave next, and why.

For everyone employed on ``as_of`` the list shows which of six risk factors
apply and a score whose weights the org's own history sets:

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
left, with the six factors as they stood at the start of the month. All six
are fitted together, so overlapping factors are not double-counted. The
hazard ratios come with Wald 95% intervals. Factors that did not raise exits
in this org's history (hazard ratio at or below 1) get weight 0; a factor
nobody had is left out. The ``supervisor_high_risk`` factor uses the weights of
a first fit of the other five. The score is the sum of the weights of the
factors that apply, reported as a relative hazard (``exp(score)``: times the
exit rate of someone with no factor) and as the probability of leaving within
``[risk] horizon_days`` (90) at that rate.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..stats import poisson_regression
from ..settings import analysis_cut
from .panel import DAYS_PER_YEAR, jsonable, month_index, month_key, rounded, setting_of, staff_codes, take
from .departures import factor_context, monthly_factors

__all__ = ["risk_list", "RISK_FACTORS"]

RISK_FACTORS = ("supervisor_left", "overloaded_supervisor", "churn_seat", "sustained_high_caseload",
                "high_doc_burden", "supervisor_high_risk")
_OWN = RISK_FACTORS[:5]
_Z = 1.959963984540054


def _overloaded(org, day) -> dict:
    """Supervisors flagged by the overload analysis with data up to ``day``: id -> reasons."""
    from .overload import overloaded_supervisors

    res = overloaded_supervisors(org, as_of=day)
    return {s["supervisor_id"]: s["reasons"] for s in res.table if s["overloaded"]}


def _flags(org, f: pd.DataFrame, window: int, overloaded: dict) -> pd.DataFrame:
    holders = int(setting_of(org, "churn", "min_holders"))
    k = int(setting_of(org, "caseload", "consecutive_months"))
    thr = float(setting_of(org, "docburden", "threshold"))
    return pd.DataFrame({
        "supervisor_left": (f["sup_left_days"] < window).to_numpy(),
        "overloaded_supervisor": f["supervisor_id"].isin(list(overloaded)).to_numpy(),
        "churn_seat": (f["seat_departures"] >= holders - 1).to_numpy(),
        "sustained_high_caseload": (f["caseload_run"] >= k).to_numpy(),
        "high_doc_burden": (f["doc_ratio"] >= thr).to_numpy(),
    }, index=f.index)


def _poisson_fit(X: np.ndarray, events: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors (intercept first) of a slightly ridged Poisson fit on cells."""
    coef, cov = poisson_regression(np.column_stack([np.ones(len(X)), X]), events, days, ridge=1e-4, max_iter=50,
                                   tol=1e-9)
    return coef, np.sqrt(np.diag(cov))


def _fit(flags: pd.DataFrame, events: np.ndarray, days: np.ndarray, names) -> dict:
    """Fit on cells (one per combination of factors); return per-factor results."""
    names = list(names)
    cells = flags[names].copy()
    cells["_e"], cells["_d"] = events, days
    agg = cells.groupby(names, as_index=False)[["_e", "_d"]].sum()
    agg = agg[agg["_d"] > 0]
    exposure = {n: (float(days[flags[n].to_numpy()].sum()), int(events[flags[n].to_numpy()].sum())) for n in names}
    usable = [n for n in names if 0 < exposure[n][0] < days.sum()]
    out = {}
    if usable:
        coef, se = _poisson_fit(agg[usable].to_numpy(float), agg["_e"].to_numpy(float), agg["_d"].to_numpy(float))
    for n in names:
        d, e = exposure[n]
        rec = {"factor": n, "person_years_exposed": rounded(d / DAYS_PER_YEAR, 2), "exits_exposed": e,
               "hazard_ratio": None, "ci_low": None, "ci_high": None, "weight": 0.0, "fitted": n in usable}
        if n in usable:
            i = usable.index(n) + 1
            b, s = float(coef[i]), float(se[i])
            rec.update(hazard_ratio=math.exp(b), ci_low=math.exp(b - _Z * s), ci_high=math.exp(b + _Z * s),
                       weight=max(b, 0.0))
        out[n] = rec
    base = float(coef[0]) if usable else math.log(max(events.sum(), 0.5) / max(days.sum(), 1.0))
    return {"factors": out, "log_base_rate": base}


def _supervisor_high(org, f: pd.DataFrame, own_score: np.ndarray, cut: float) -> np.ndarray:
    """Whether each row's supervisor (same month) has an own-factor score of at least ``cut``."""
    own = pd.Series(month_key(f["sc"].to_numpy(), f["prev_mi"].to_numpy()))
    first = ~own.duplicated().to_numpy()
    sup_key = month_key(staff_codes(org, f["supervisor_id"].fillna("")), f["prev_mi"].to_numpy())
    sup = take(sup_key, own.to_numpy()[first], np.asarray(own_score, dtype=float)[first])
    return np.nan_to_num(sup.astype(float), nan=-np.inf) >= cut


def _details(row, flags: dict, org, overloaded: dict) -> list[str]:
    out = []
    if flags["supervisor_left"]:
        out.append(f"a supervisor left {int(row.sup_left_days)} days ago")
    if flags["overloaded_supervisor"]:
        why = "; ".join(overloaded.get(row.supervisor_id) or [])
        out.append(f"supervisor {row.supervisor_id} is overloaded" + (f" ({why})" if why else ""))
    if flags["churn_seat"]:
        out.append(f"{int(row.seat_departures)} earlier holders left seat {row.position_id} in "
                   f"{int(setting_of(org, 'churn', 'window_months'))} months")
    if flags["sustained_high_caseload"]:
        out.append(f"caseload above the {float(setting_of(org, 'caseload', 'percentile')):g}th percentile for "
                   f"{int(row.caseload_run)} months ({int(row.caseload)} clients last month)")
    if flags["high_doc_burden"]:
        out.append(f"documentation {row.doc_ratio:.2f} hours per session hour last month")
    if flags["supervisor_high_risk"]:
        out.append(f"supervisor {row.supervisor_id} is at high risk of leaving")
    return out


def risk_list(org, *, as_of=None, top=None, program=None, supervisor=None, window_days=None,
              supervisor_high_hr=None, min_exits=None, horizon_days=None) -> Result:
    """People employed on ``as_of``, ranked by a risk score fitted on the org's history.

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
        ``position_id``, ``supervisor_id``, ``tenure_days``, ``factors``,
        ``details``, ``score``, ``relative_hazard``, ``exit_probability``;
        ranked by score, then number of factors, then id).
        ``extras``: ``method``, ``weights`` (records: ``factor``,
        ``hazard_ratio``, ``ci_low``, ``ci_high``, ``weight``, ``fitted``,
        ``person_years_exposed``, ``exits_exposed``),
        ``baseline_exit_rate_per_year`` (no factor), ``fit`` (``exits``,
        ``person_years``, ``months``), ``employed`` and ``with_factors``.

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
    """
    day = (analysis_cut(org, as_of) - pd.Timedelta(days=1)).date()
    window = int(setting_of(org, "cascades", "window_days", window_days))
    hr_cut = float(setting_of(org, "risk", "supervisor_high_hr", supervisor_high_hr))
    need = int(setting_of(org, "risk", "min_exits", min_exits))
    horizon = int(setting_of(org, "risk", "horizon_days", horizon_days))
    ts = pd.Timestamp(day)
    cur_mi = int(month_index([ts + pd.Timedelta(days=1)])[0])
    # --- history: complete months before as_of
    hist = monthly_factors(org)
    hist = hist[hist["mi"] < cur_mi].reset_index(drop=True)
    events = hist["exit"].to_numpy().astype(float)
    days = hist["days"].to_numpy().astype(float)
    if events.sum() < need:
        raise AnalysisError(f"only {int(events.sum())} exit(s) in the history before {day}; the risk weights need "
                            f"at least {need} (set [risk] min_exits to lower this)")
    overloaded = _overloaded(org, day)
    hf = _flags(org, hist, window, overloaded)
    first = _fit(hf, events, days, _OWN)
    w1 = np.array([first["factors"][n]["weight"] for n in _OWN])
    hf["supervisor_high_risk"] = _supervisor_high(org, hist, hf[list(_OWN)].to_numpy(float) @ w1, math.log(hr_cut))
    fit = _fit(hf, events, days, RISK_FACTORS)
    w = np.array([fit["factors"][n]["weight"] for n in RISK_FACTORS])
    # --- people employed on as_of
    sf = org.staff_frame
    emp = sf[(sf["hire"] <= ts) & (sf["end"] > ts)]
    if not len(emp):
        raise AnalysisError(f"nobody was employed on {day}")
    rows = pd.DataFrame({"staff_id": emp["staff_id"].to_numpy(), "ref": ts, "prev_mi": cur_mi - 1})
    cur = factor_context(org, rows)
    cf = _flags(org, cur, window, overloaded)
    cf["supervisor_high_risk"] = _supervisor_high(org, cur, cf[list(_OWN)].to_numpy(float) @ w1, math.log(hr_cut))
    score = cf[list(RISK_FACTORS)].to_numpy(float) @ w
    base = math.exp(fit["log_base_rate"])
    cur["score"] = score
    n_fac = cf[list(RISK_FACTORS)].to_numpy().sum(axis=1)
    order = np.lexsort((cur["staff_id"].to_numpy(), -n_fac, -score))
    records = []
    rows_ = list(cur.itertuples(index=False))
    flag_arr = cf[list(RISK_FACTORS)].to_numpy(bool)
    names = sf["name"].to_numpy()
    for rank, i in enumerate(order, start=1):
        row = rows_[i]
        fl = dict(zip(RISK_FACTORS, flag_arr[i].tolist()))
        rh = math.exp(score[i])
        records.append({
            "rank": rank, "staff_id": row.staff_id, "name": names[row.sc],
            "role_kind": row.role_kind, "program_id": jsonable(row.program_id),
            "position_id": jsonable(row.position_id), "supervisor_id": jsonable(row.supervisor_id),
            "tenure_days": int(row.tenure_days), "factors": [n for n in RISK_FACTORS if fl[n]],
            "details": _details(row, fl, org, overloaded), "score": rounded(score[i]),
            "relative_hazard": rounded(rh, 3), "exit_probability": rounded(1 - math.exp(-base * rh * horizon), 4),
        })
    with_factors = sum(1 for r in records if r["factors"])
    if program is not None:
        records = [r for r in records if r["program_id"] == program]
    if supervisor is not None:
        records = [r for r in records if r["supervisor_id"] == supervisor]
    if top is not None:
        records = records[: int(top)]
    weights = [jsonable(fit["factors"][n]) for n in RISK_FACTORS]
    settings = {"window_days": window, "supervisor_high_hr": hr_cut, "min_exits": need, "horizon_days": horizon,
                "program": program, "supervisor": supervisor, "top": top}
    return Result("risk", day.isoformat(), settings, records, _summary(records, len(emp), with_factors, weights, day), {
        "method": ("Poisson regression on person-months before as_of (piecewise-exponential proportional hazards); "
                   "weights = log hazard ratios, 0 when the hazard ratio is 1 or less"),
        "weights": weights, "baseline_exit_rate_per_year": rounded(base * DAYS_PER_YEAR),
        "fit": {"exits": int(events.sum()), "person_years": rounded(days.sum() / DAYS_PER_YEAR, 1),
                "months": int(hist["mi"].nunique())},
        "employed": int(len(emp)), "with_factors": with_factors})


def _summary(records, employed, with_factors, weights, day) -> str:
    strong = sorted((w for w in weights if w["hazard_ratio"] and w["weight"] > 0),
                    key=lambda w: -w["hazard_ratio"])
    text = f"On {day}, {with_factors} of {employed} staff had at least one risk factor."
    if strong:
        w = strong[0]
        text += (f" In this org's history the strongest was {w['factor'].replace('_', ' ')}: "
                 f"{w['hazard_ratio']:.1f} times the exit rate (95% CI {w['ci_low']:.1f}-{w['ci_high']:.1f}).")
    if records and records[0]["factors"]:
        r = records[0]
        text += (f" Highest risk: {r['staff_id']} ({', '.join(r['factors']).replace('_', ' ')}), "
                 f"{100 * r['exit_probability']:.0f}% chance of leaving in the next 90 days at that rate.")
    return text
