"""Supervisor departures as a leading indicator of clinician departures.

For every program and calendar quarter the analysis counts supervisor exits and
clinician exits and the clinician person-days at risk. A program-quarter is
*exposed at lag L* when the program lost at least one supervisor L quarters
earlier. Clinician exit rates (exits per person-day) in exposed and unexposed
program-quarters are compared as person-time rate ratios with 95% intervals
(:func:`orgraph.stats.rate_ratio`), for each lag and for the combined window
"the next ``lag_quarters`` quarters" (lags 1 to ``lag_quarters``).

Definitions
-----------
* A *supervisor exit* is the exit of anyone who supervised at least one person
  in the ``lookback_days`` before leaving (the same rule as the cascade
  analysis); it is counted in the program of the leaver's last seat.
* A *clinician* is someone whose seat has role kind ``clinician``. Person-days
  come from clinician seat assignments, so a clinician who changes program is
  at risk in each program for the days spent there; an exit counts in the
  program of the last seat.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import analysis_cut, as_of_text
from ..plain import plural
from .persontime import column_codes, person_time
from .panel import jsonable, month_index, month_start, rate_record, rate_records, rounded, setting_of

__all__ = ["supervisor_leading_indicator", "supervisor_exits"]


def _quarter_label(qi: int) -> str:
    return f"{1970 + qi // 4}-Q{qi % 4 + 1}"


def _quarter_start(qi) -> np.ndarray:
    return month_start(np.asarray(qi, dtype=np.int64) * 3)


def supervisor_exits(org, *, lookback_days=None) -> pd.DataFrame:
    """Exits of people who supervised someone in the days before leaving.

    Parameters
    ----------
    org : OrgGraph
    lookback_days : int, optional
        Default ``[leading] lookback_days`` (30).

    Returns
    -------
    DataFrame
        ``staff_id``, ``exit`` (last day, Timestamp), ``program_id`` (of the
        leaver's last seat) and ``supervisees`` (people supervised in the
        lookback), one row per supervisor exit, sorted by ``exit``.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> supervisor_exits(example_org())[["staff_id", "program_id", "supervisees"]].values.tolist()
    [['S1', 'A', 3]]
    """
    look = int(setting_of(org, "leading", "lookback_days", lookback_days))
    sf = org.staff_frame
    sv = org.supervision_frame
    cols = ["staff_id", "exit", "program_id", "supervisees"]
    left = sf[sf["exited"]]
    if not len(sv) or not len(left):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    m = sv.merge(left[["exit", "program_id"]], left_on="supervisor_id", right_index=True)
    m = m[(m["start"] <= m["exit"]) & (m["end"] > m["exit"] - pd.Timedelta(days=look))]
    out = (m.groupby("supervisor_id").agg(exit=("exit", "first"), program_id=("program_id", "first"),
                                          supervisees=("staff_id", "nunique"))
           .reset_index().rename(columns={"supervisor_id": "staff_id"}))
    return out.sort_values(["exit", "staff_id"]).reset_index(drop=True)[cols]


def _clinician_quarters(org, cut: pd.Timestamp) -> pd.DataFrame:
    """Clinician days at risk and exits by (program_id, qi), from the person-time panel: a day counts for the
    program of the clinician seat held on it, an exit for the program of the seat the clinician left from."""
    pt = person_time(org, cut)
    codes, roles = column_codes(pt, "role_kind")
    days = pt["days"].to_numpy()
    clinician = np.flatnonzero(roles == "clinician")
    c = np.flatnonzero((codes == (clinician[0] if len(clinician) else -2)) & (days > 0))
    if not len(c):
        return pd.DataFrame({"program_id": [], "qi": [], "person_days": [], "clinician_exits": []})
    if days.dtype.kind not in "iu":                     # fractional days: pandas' (compensated) group sums
        df = pd.DataFrame({"program_id": pt["program_id"].to_numpy(dtype=object)[c],
                           "qi": pt["mi"].to_numpy()[c] // 3, "person_days": days[c].astype(float),
                           "clinician_exits": pt["exit"].to_numpy()[c].astype(int)})
        return df.groupby(["program_id", "qi"], as_index=False)[["person_days", "clinician_exits"]].sum()
    # whole days: sums of whole numbers are exact in any order, so group on integer (program, quarter) keys;
    # program codes number the sorted program ids, so the keys come out in the order a sorted groupby gives
    pcode, programs = column_codes(pt, "program_id")
    c = c[pcode[c] >= 0]                                # a piece without a program is in no group
    qi = pt["mi"].to_numpy()[c] // 3
    q0 = int(qi.min()) if len(c) else 0
    nq = int(qi.max()) - q0 + 1 if len(c) else 1
    at = pcode[c].astype(np.int64) * nq + (qi - q0)
    size = len(programs) * nq                          # programs x quarters of data: a small table
    key = np.flatnonzero(np.bincount(at, minlength=size))              # the (program, quarter) groups with rows
    return pd.DataFrame({"program_id": programs[key // nq], "qi": (key % nq + q0).astype(qi.dtype),
                         "person_days": np.bincount(at, weights=days[c], minlength=size)[key],
                         "clinician_exits": np.bincount(at, weights=pt["exit"].to_numpy()[c],
                                                        minlength=size)[key].astype(int)})


def supervisor_leading_indicator(org, *, lag_quarters=None, lookback_days=None, as_of=None) -> Result:
    """Do clinician exits rise in the quarters after a program loses a supervisor?

    Parameters
    ----------
    org : OrgGraph
    lag_quarters : int, optional
        Length of the "next quarters" window; default ``[leading] lag_quarters`` (2).
    lookback_days : int, optional
        Who counts as a supervisor when leaving; default ``[leading] lookback_days`` (30).
    as_of : date, optional
        Use only data up to this day (default: all).

    Returns
    -------
    Result
        ``table``: ``lags``. ``summary``: the sentence. ``extras``:
        ``program_quarters`` (records: ``program_id``, ``quarter``
        (``"2023-Q2"``), ``quarter_start``, ``supervisor_exits``,
        ``clinician_exits``, ``clinician_person_years``,
        ``clinician_exit_rate_per_year``, ``after_supervisor_exit``: a
        supervisor left in the previous ``lag_quarters`` quarters),
        ``lags`` (records, one per lag 0 … ``lag_quarters + 1``: rate ratio of
        clinician exits in program-quarters with a supervisor exit that many
        quarters earlier versus without, 95% interval), ``window`` (the same
        for lags 1 … ``lag_quarters`` combined), ``by_program`` (per program:
        supervisor and clinician exits, rate after vs otherwise),
        ``supervisor_exits`` (records) and ``change_pct``
        (``100 * (rate ratio - 1)`` for the window).

    Raises
    ------
    AnalysisError
        If no clinician ever held a seat (nothing to measure).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = supervisor_leading_indicator(example_org())
    >>> res.extras["window"]["exits"], res.extras["window"]["reference_exits"]
    (1, 0)
    >>> print(res.summary)  # doctest: +NORMALIZE_WHITESPACE
    Programs that lost a supervisor saw 1 clinician exit over the next two quarters against none
    at other times (1 supervisor exit in 1 program).
    """
    lag = int(setting_of(org, "leading", "lag_quarters", lag_quarters))
    if lag < 1:
        raise AnalysisError(f"lag_quarters must be at least 1 (got {lag})")
    cut = analysis_cut(org, as_of)
    pq = _clinician_quarters(org, cut)
    if not len(pq):
        raise AnalysisError("no clinician seats in the data: the leading-indicator analysis compares clinician exits")
    sup = supervisor_exits(org, lookback_days=lookback_days)
    sup = sup[sup["exit"] < cut].reset_index(drop=True)
    sup_q = sup.assign(qi=month_index(sup["exit"]) // 3 if len(sup) else [])
    sup_n = sup_q.groupby(["program_id", "qi"]).size() if len(sup_q) else pd.Series(dtype="int64")

    def lookup(series, prog, qi):
        idx = pd.MultiIndex.from_arrays([prog, qi])
        return series.reindex(idx).fillna(0).to_numpy().astype(int) if len(series) else np.zeros(len(qi), int)

    prog, qi = pq["program_id"].to_numpy(), pq["qi"].to_numpy()
    pq["supervisor_exits"] = lookup(sup_n, prog, qi)
    lagged = {L: lookup(sup_n, prog, qi - L) for L in range(0, lag + 2)}
    after = sum(lagged[L] for L in range(1, lag + 1)) > 0
    pq["after_supervisor_exit"] = after
    days = pq["person_days"].to_numpy()
    ex = pq["clinician_exits"].to_numpy()

    def rr(flag, label):
        f = np.asarray(flag, dtype=bool)
        return rate_record(ex[f].sum(), days[f].sum(), ex[~f].sum(), days[~f].sum(),
                          label_a=label, label_b="program-quarters without")

    lags = [{"lag_quarters": L, **rr(lagged[L] > 0, f"{plural(L, 'quarter')} after a supervisor exit")}
            for L in range(0, lag + 2)]
    window = {"lag_quarters": f"1-{lag}", **rr(after, f"the {lag} quarters after a supervisor exit")}
    by_program = [{"program_id": p, "supervisor_exits": s, "clinician_exits": e,
                   "clinician_exit_rate_after_per_year": r["exit_rate_per_year"],
                   "clinician_exit_rate_otherwise_per_year": r["reference_exit_rate_per_year"],
                   "rate_ratio": r["rate_ratio"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
                  for p, s, e, r in _by_program(pq)]
    rows = pq.sort_values(["program_id", "qi"])
    starts = _quarter_start(rows["qi"].to_numpy())
    program_quarters = [{
        "program_id": r.program_id, "quarter": _quarter_label(int(r.qi)),
        "quarter_start": jsonable(pd.Timestamp(q0)),
        "supervisor_exits": int(r.supervisor_exits), "clinician_exits": int(r.clinician_exits),
        "clinician_person_years": rounded(r.person_days / 365.25, 2),
        "clinician_exit_rate_per_year": rounded(r.clinician_exits / r.person_days * 365.25) if r.person_days else None,
        "after_supervisor_exit": bool(r.after_supervisor_exit),
    } for r, q0 in zip(rows.itertuples(index=False), starts)]
    change = None if window["rate_ratio"] is None else 100.0 * (window["rate_ratio"] - 1.0)
    sentence = _sentence(window, change, lag, len(sup), sup["program_id"].nunique() if len(sup) else 0)
    sup_records = [{"staff_id": s.staff_id, "exit_date": jsonable(s.exit), "program_id": jsonable(s.program_id),
                    "supervisees": int(s.supervisees)} for s in sup.itertuples(index=False)]
    settings = {"lag_quarters": lag, "lookback_days": int(setting_of(org, "leading", "lookback_days", lookback_days))}
    untested = []
    if not len(sup):
        untested.append("No supervisor left in the window, so supervisor exits could not be tested as a leading "
                        "indicator.")
    elif window["exits"] + window["reference_exits"] == 0 or window["person_years"] in (None, 0.0):
        untested.append("No clinician left in the window, so supervisor exits could not be tested as a leading "
                        "indicator.")
    return Result("leading", as_of_text(cut), settings, lags, sentence,
                  {"program_quarters": program_quarters, "lags": lags, "window": window, "by_program": by_program,
                   "supervisor_exits": sup_records, "change_pct": rounded(change, 1)}, untested)


def _by_program(pq: pd.DataFrame) -> list[tuple]:
    """Per program (sorted, as a sorted ``groupby``): ``(program_id, supervisor exits, clinician exits, rate
    record of clinician exits after a supervisor exit against otherwise)``. The sums are each program's own
    numpy sums over its rows in table order, as the group frames gave them; the rate ratios are worked out
    together (:func:`~orgraph.analyses.panel.rate_records`), not one program at a time.

    Examples
    --------
    >>> pq = pd.DataFrame({"program_id": ["B", "A", "B", "A"], "supervisor_exits": [1, 0, 0, 0],
    ...                    "clinician_exits": [0, 1, 3, 2], "person_days": [365.25, 365.25, 365.25, 730.5],
    ...                    "after_supervisor_exit": [False, True, True, False]})
    >>> [(p, s, e, r["rate_ratio"]) for p, s, e, r in _by_program(pq)]
    [('A', 0, 3, 1.0), ('B', 1, 3, None)]
    """
    code, programs = pd.factorize(pq["program_id"].to_numpy(dtype=object), sort=True)
    keep = np.flatnonzero(code >= 0)                    # a missing program id is no group
    rows = keep[np.argsort(code[keep], kind="stable")]
    bounds = np.searchsorted(code[rows], np.arange(len(programs) + 1))
    f_all = pq["after_supervisor_exit"].to_numpy()
    e_all, d_all = pq["clinician_exits"].to_numpy(), pq["person_days"].to_numpy()
    s_all = pq["supervisor_exits"].to_numpy()
    ea, da, eb, db, sup, ex = [], [], [], [], [], []
    for lo, hi in itertools.pairwise(bounds):
        r = rows[lo:hi]
        f, e, d = f_all[r], e_all[r], d_all[r]
        ea.append(e[f].sum())
        da.append(d[f].sum())
        eb.append(e[~f].sum())
        db.append(d[~f].sum())
        sup.append(int(s_all[r].sum()))
        ex.append(int(e.sum()))
    recs = rate_records(ea, da, eb, db, labels_a=["after"] * len(ea), label_b="otherwise")
    return list(zip(programs.tolist(), sup, ex, recs))


def _sentence(window: dict, change, lag: int, n_sup: int, n_prog: int) -> str:
    span = "two" if lag == 2 else str(lag)
    if n_sup == 0:
        return "No supervisor left during the data period, so supervisor exits cannot be tested as a leading indicator."
    if window["exits"] + window["reference_exits"] == 0 or window["person_years"] in (None, 0.0):
        return (f"{plural(n_sup, 'supervisor exit')}, but no clinician exits to compare, so the effect over the next "
                f"{span} quarters cannot be measured.")
    if change is None or window["ci_high"] is None:
        return (f"Programs that lost a supervisor saw {plural(window['exits'], 'clinician exit')} over the next "
                f"{span} quarters against none at other times ({plural(n_sup, 'supervisor exit')} in "
                f"{plural(n_prog, 'program')}).")
    word = "rise" if change >= 0 else "fall"
    text = (f"Programs that lost a supervisor saw clinician exits {word} by {abs(change):.0f}% over the next "
            f"{span} quarters (rate ratio {window['rate_ratio']:.2f}, 95% CI {window['ci_low']:.2f}–"
            f"{window['ci_high']:.2f}; {plural(n_sup, 'supervisor exit')} in {plural(n_prog, 'program')}).")
    if window["ci_low"] <= 1.0 <= window["ci_high"]:
        text += " The interval includes no change, so this may be chance."
    return text
