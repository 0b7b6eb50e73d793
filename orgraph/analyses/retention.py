"""Retention curves: the share of people still here N months on.

Two kinds of curve, both Kaplan-Meier estimates (``lifelines``) inside the
export window:

* **from hire**, for the org and for each program (the program of the seat
  held on the first day at risk). People hired before the export window enter
  at their tenure on its first day (left truncation), so the years before it,
  in which nobody could be seen leaving, never make retention look better;
* **after a supervisor left**: the people in a departed supervisor's team
  (:func:`~orgraph.analyses.exposure.supervisor_cohorts`), followed from the
  day after the supervisor's last day, beside everyone else employed on those
  same days, followed from the same days (a comparison at matched calendar
  time). The curves describe; whether the gap is more than chance is the
  cascade analysis's test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import analysis_cut, as_of_text, resolve
from .exposure import DAY, iso, num, observed_from, people, supervisor_cohorts
from .persontime import person_time

__all__ = ["retention_curves", "MONTH_DAYS"]

#: Days in an average month: curves are read at multiples of it.
MONTH_DAYS = 30.4375
_MIN_PEOPLE = 20
_MIN_AT_RISK = 5       # a curve stops where fewer people than this are still followed
_MAX_DAYS = 60          # supervisor-exit days sampled for the comparison curve


def _product_limit(d: np.ndarray, e: np.ndarray, entry: np.ndarray, times: np.ndarray) -> np.ndarray:
    """S(t) = product over exit times u <= t of (1 - exits at u / people at risk at u), at risk meaning
    entered before u and not gone before it: used when lifelines refuses a curve whose risk set runs out."""
    u = np.unique(d[e])
    at = np.array([((entry < x) & (d >= x)).sum() for x in u], dtype=float)
    ev = np.array([(e & (d == x)).sum() for x in u], dtype=float)
    steps = np.cumprod(1 - ev / np.where(at > 0, at, 1))
    pos = np.searchsorted(u, times, side="right") - 1
    return np.where(pos >= 0, steps[np.clip(pos, 0, None)] if len(steps) else 1.0, 1.0)


def _km(durations, events, entry, months: int, label: str, kind: str) -> dict:
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    n0 = np.asarray(entry, dtype=float)
    times = np.arange(months + 1) * MONTH_DAYS
    try:
        kmf = KaplanMeierFitter(alpha=0.05).fit(d, event_observed=e, entry=n0)
        surv = kmf.survival_function_at_times(times).to_numpy()
        ci = kmf.confidence_interval_survival_function_
        pos = np.searchsorted(ci.index.to_numpy(), times, side="right") - 1
        lo = np.where(pos >= 0, ci.iloc[np.clip(pos, 0, None), 0].to_numpy(), 1.0)
        hi = np.where(pos >= 0, ci.iloc[np.clip(pos, 0, None), 1].to_numpy(), 1.0)
    except StatError:                # the risk set ran out (few early entries, many exits): no interval, and
        surv = _product_limit(d, e, n0, times)        # no curve past the point where it fell to 0 with people
        lo = hi = np.full(len(times), np.nan)         # still to follow (an artefact of the emptied risk set)
        surv = np.where(surv > 0, surv, np.nan)
    at_risk = [int(((n0 <= t) & (d > t)).sum()) for t in times]
    points = [{"month": m, "share": num(s, 4) if r >= _MIN_AT_RISK or m == 0 else None,
               "ci_low": num(a, 4) if r >= _MIN_AT_RISK or m == 0 else None,
               "ci_high": num(b, 4) if r >= _MIN_AT_RISK or m == 0 else None, "at_risk": r}
              for m, (s, a, b, r) in enumerate(zip(surv, lo, hi, at_risk))]
    row = {"curve": kind, "group": label, "people": int(len(d)), "exits": int(e.sum())}
    for m in (6, 12, 24):
        row[f"share_{m}m"] = points[m]["share"] if m <= months else None
    row["points"] = points
    return row


def retention_curves(org, *, as_of=None, months: int | None = None, lookback_days: int | None = None) -> Result:
    """Share of people still employed N months after hire (org and programs) and after a supervisor left.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Use only data up to this day.
    months : int, optional
        Length of the curves from hire in months (default ``[retention]
        months``, 24; the curves after a supervisor left run for 12).
    lookback_days : int, optional
        The cohort rule of the cascades (default ``[cascades] lookback_days``).

    Returns
    -------
    Result
        ``table``: one record per curve: ``curve`` (``"hires"``, ``"program"``,
        ``"supervisor left"`` or ``"comparison"``), ``group``, ``people``,
        ``exits``, ``share_6m``, ``share_12m``, ``share_24m`` and ``points``
        (``month``, ``share``, ``ci_low``, ``ci_high`` (95%), ``at_risk``). A
        program with fewer than 20 people at risk has no curve of its own, and
        a curve stops (``share`` None) where fewer than 5 people are still
        followed.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = retention_curves(example_org(), months=6)
    >>> [(r["curve"], r["people"], r["exits"]) for r in res.table]
    [('hires', 5, 2)]
    """
    horizon = int(resolve(org, "retention", months=months)["months"])
    if horizon < 1:
        raise AnalysisError(f"retention curves need at least 1 month (got {horizon})")
    look = int(resolve(org, "cascades", lookback_days=lookback_days)["lookback_days"])
    cut = analysis_cut(org, as_of)
    obs0 = observed_from(org, cut)
    P = people(org, cut)
    P = P[P["end"] > obs0]
    settings = {"months": horizon, "lookback_days": look, "observed_from": iso(obs0), "as_of": iso(cut - DAY)}
    rows: list[dict] = []
    if len(P):
        entry = (P["hire"].clip(lower=obs0) - P["hire"]).dt.days.to_numpy()
        dur = (P["end"] - P["hire"]).dt.days.to_numpy()
        ev = (P["exited"] & (P["exit"] >= obs0)).to_numpy()
        rows.append(_km(dur, ev, entry, horizon, "everyone", "hires"))
        pt = person_time(org, cut)
        first = pt[pt["days"] > 0].drop_duplicates("staff_id").set_index("staff_id")["program_id"]
        prog = P.index.map(first).to_numpy(dtype=object)
        names = {p.program_id: p.name for p in org.data.programs.values()}
        for pid in sorted({p for p in prog if p is not None and p == p}):
            m = prog == pid
            if m.sum() >= _MIN_PEOPLE:
                r = _km(dur[m], ev[m], entry[m], horizon, names.get(pid, pid), "program")
                r["program_id"] = pid
                rows.append(r)
        rows += _after_supervisor_exit(org, cut, obs0, P, look)
    n_prog = sum(r["curve"] == "program" for r in rows)
    head = rows[0] if rows else None
    summary = ("No one was employed inside the export window." if head is None else
               f"{head['share_12m']:.0%} of people were still here 12 months on (Kaplan-Meier, inside the export "
               f"window); curves for {n_prog} programs." if head["share_12m"] is not None else
               "Too little follow-up inside the export window for a 12-month retention figure.")
    return Result("retention", as_of_text(cut), settings, rows, summary, {})


def _after_supervisor_exit(org, cut, obs0, P: pd.DataFrame, look: int) -> list[dict]:
    c = supervisor_cohorts(org, cut, look)
    c = c[c["sup_exit"] + DAY >= obs0]
    if not len(c):
        return []
    start = c["sup_exit"] + DAY
    end = c["staff_id"].map(P["end"])
    ok = end.notna() & (end > start)
    c, start, end = c[ok], start[ok], end[ok]
    if len(c) < _MIN_PEOPLE:
        return []
    exit_ = c["staff_id"].map(P["exit"])
    dur = (end - start).dt.days.to_numpy()
    ev = exit_.notna().to_numpy()
    rows = [_km(dur, ev, np.zeros(len(dur)), 12, "people whose supervisor had just left", "supervisor left")]
    days = pd.DatetimeIndex(start.unique()).sort_values()
    if len(days) > _MAX_DAYS:
        days = days[np.linspace(0, len(days) - 1, _MAX_DAYS).round().astype(int)]
    in_cohort = set(zip(c["staff_id"], start))
    d_all, e_all = [], []
    for day in days:
        here = P[(P["hire"] <= day) & (P["end"] > day)]
        keep = np.array([(s, day) not in in_cohort for s in here.index], dtype=bool)
        here = here[keep]
        d_all.append((here["end"] - day).dt.days.to_numpy())
        e_all.append(here["exited"].to_numpy())
    d_all, e_all = np.concatenate(d_all), np.concatenate(e_all)
    rows.append(_km(d_all, e_all, np.zeros(len(d_all)), 12, "everyone else on the same days", "comparison"))
    return rows
