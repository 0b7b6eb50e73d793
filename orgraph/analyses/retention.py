"""Retention curves: the share of people still here N months on.

Two kinds of curve, both Kaplan-Meier estimates (computed as ``lifelines`` does) inside the
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
from .persontime import person_time, staff_codes

__all__ = ["retention_curves", "MONTH_DAYS"]

#: Days in an average month: curves are read at multiples of it.
MONTH_DAYS = 30.4375
_MIN_PEOPLE = 20
_MIN_AT_RISK = 5       # a curve stops where fewer people than this are still followed
_MAX_DAYS = 60          # supervisor-exit days sampled for the comparison curve


def _product_limit(d: np.ndarray, e: np.ndarray, entry: np.ndarray, times: np.ndarray) -> np.ndarray:
    """S(t) = product over exit times u <= t of (1 - exits at u / people at risk at u), at risk meaning
    entered before u and not gone before it: used when :func:`kaplan_meier` refuses a curve whose risk set
    runs out."""
    u = np.unique(d[e])
    at = np.array([((entry < x) & (d >= x)).sum() for x in u], dtype=float)
    ev = np.array([(e & (d == x)).sum() for x in u], dtype=float)
    steps = np.cumprod(1 - ev / np.where(at > 0, at, 1))
    pos = np.searchsorted(u, times, side="right") - 1
    return np.where(pos >= 0, steps[np.clip(pos, 0, None)] if len(steps) else 1.0, 1.0)


class RiskSetEmptied(ValueError):
    """A Kaplan-Meier curve whose risk set ran out early (lifelines' ``StatError``): no interval is given."""


def _pandas_cumsum(x: np.ndarray) -> np.ndarray:
    """``Series.cumsum`` then ``ffill``: NaN terms are skipped (leading NaNs stay NaN), as lifelines sums."""
    nan = np.isnan(x)
    out = np.cumsum(np.where(nan, 0.0, x))
    seen = np.cumsum(~nan) > 0
    return np.where(seen, out, np.nan)


def kaplan_meier(durations, events, entry) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Kaplan-Meier estimate with left truncation, computed as ``lifelines.KaplanMeierFitter`` computes it
    (the same event table and the same floating-point steps, so the same numbers to the last bit), without its
    per-fit overhead.

    Parameters
    ----------
    durations, events, entry : array
        Time of exit or censoring, whether it was an exit, time of entry (at most the duration).

    Returns
    -------
    tuple
        ``timeline`` (every distinct duration and entry time, sorted), the survival function on it, and the
        lower and upper 95% limits (exponential Greenwood, 1.0 where undefined).

    Raises
    ------
    RiskSetEmptied
        Where lifelines raises ``StatError``: the risk set empties in the first half of the timeline.

    Examples
    --------
    >>> t, s, lo, hi = kaplan_meier([2.0, 3.0, 3.0, 5.0], [True, True, False, False], [0.0, 0.0, 0.0, 0.0])
    >>> t.tolist(), s.round(4).tolist()
    ([0.0, 2.0, 3.0, 5.0], [1.0, 0.75, 0.5, 0.5])
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events).astype(int).astype(bool)
    n0 = np.asarray(entry, dtype=float)
    if (n0 > d).any():
        raise ValueError("birth time must be less than time of death.")
    timeline, removed, deaths, entrance = event_table(d, e, n0)
    return (timeline, *_km_steps(removed, deaths, entrance))


def event_table(d: np.ndarray, e: np.ndarray, n0: np.ndarray) -> tuple[np.ndarray, ...]:
    """The Kaplan-Meier event table: ``timeline`` (every distinct duration ``d`` and entry ``n0``, sorted) and,
    at each of its times, how many durations end there (``removed``), how many of those are exits ``e``
    (``deaths``) and how many entries there are (``entrance``). Whole-number times in a range no longer than
    a few times the number of rows are counted into a table of that range (no sort); others are sorted.

    Examples
    --------
    >>> t, removed, deaths, entrance = event_table(np.array([3.0, 5, 5]), np.array([True, False, True]),
    ...                                            np.array([0.0, 0, 3]))
    >>> t.tolist(), removed.tolist(), deaths.tolist(), entrance.tolist()
    ([0.0, 3.0, 5.0], [0, 1, 2], [0, 1, 1], [2, 1, 0])
    """
    n = len(d)
    if n:
        lo = min(float(d.min()), float(n0.min()))
        span = max(float(d.max()), float(n0.max())) - lo + 1
        whole = span <= 4 * n + 4096 and lo == np.floor(lo) and (d == np.floor(d)).all() \
            and (n0 == np.floor(n0)).all()
    if not n or not whole:
        timeline = np.unique(np.concatenate([d, n0]))
        k = len(timeline)
        at_d = np.searchsorted(timeline, d)
        return (timeline, np.bincount(at_d, minlength=k), np.bincount(at_d[e], minlength=k),
                np.bincount(np.searchsorted(timeline, n0), minlength=k))
    span, base = int(span), int(lo)
    di, ni = d.astype(np.int64) - base, n0.astype(np.int64) - base
    removed = np.bincount(di, minlength=span)
    entrance = np.bincount(ni, minlength=span)
    deaths = np.bincount(di[e], minlength=span)
    at = np.flatnonzero((removed > 0) | (entrance > 0))
    return (at + base).astype(float), removed[at], deaths[at], entrance[at]


_Z = []         # lifelines' inv_normal_cdf(0.975), worked out on first use


def _km_steps(removed, deaths, entrance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`kaplan_meier`'s survival function and 95% limits from its event table."""
    if not _Z:
        from scipy.stats import norm

        _Z.append(norm.ppf(1 - 0.05 / 2))
    k = len(removed)
    at_risk = np.cumsum(entrance) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    net = np.cumsum(entrance - removed)[: int(k / 2)]
    if len(net) and net.min() == 0:
        raise RiskSetEmptied("too few early entries and too many exits: the risk set empties early")
    entrances = entrance.copy()
    entrances[0] = 0
    population = at_risk - entrances
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = _pandas_cumsum(np.log(population - deaths) - np.log(population))
        pop = population.astype(np.uint64)
        var = deaths / (pop * (pop - deaths))
        var = _pandas_cumsum(np.where(var == np.inf, 0.0, var))
        surv = np.exp(log_s)
        z = _Z[0]
        v = np.log(surv)
        lo = np.exp(-np.exp(np.log(-v) - z * np.sqrt(var) / v))
        hi = np.exp(-np.exp(np.log(-v) + z * np.sqrt(var) / v))
    return surv, np.where(np.isnan(lo), 1.0, lo), np.where(np.isnan(hi), 1.0, hi)


def _km(durations, events, entry, months: int, label: str, kind: str) -> dict:
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    n0 = np.asarray(entry, dtype=float)
    times = np.arange(months + 1) * MONTH_DAYS
    if (n0 > d).any():
        raise ValueError("birth time must be less than time of death.")
    timeline, removed, deaths, entrance = event_table(d, e, n0)
    try:
        s, lo_, hi_ = _km_steps(removed, deaths, entrance)
        ok = ~np.isnan(s)                            # as DataFrame.asof: the last row without NaN on or before
        pos = np.searchsorted(timeline[ok], times, side="right") - 1
        surv = np.where(pos >= 0, s[ok][np.clip(pos, 0, None)] if ok.any() else np.nan, np.nan)
        pos = np.searchsorted(timeline, times, side="right") - 1
        lo = np.where(pos >= 0, lo_[np.clip(pos, 0, None)], 1.0)
        hi = np.where(pos >= 0, hi_[np.clip(pos, 0, None)], 1.0)
    except RiskSetEmptied:           # the risk set ran out (few early entries, many exits): no interval, and
        surv = _product_limit(d, e, n0, times)        # no curve past the point where it fell to 0 with people
        lo = hi = np.full(len(times), np.nan)         # still to follow (an artefact of the emptied risk set)
        surv = np.where(surv > 0, surv, np.nan)
    # followed at t: entered on or before t and not gone by t (entry <= duration, so #entered - #gone), counted
    # from the event table: every entry and duration is on its timeline
    last = np.searchsorted(timeline, times, side="right") - 1
    net = np.concatenate([[0], np.cumsum(entrance - removed)])
    at_risk = net[last + 1].tolist()
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
        prog = first_program(pt, staff_codes(org, P.index))
        names = {p.program_id: p.name for p in org.data.programs.values()}
        code, pids = pd.factorize(prog)                  # missing programs (None, NaN) are -1
        order = np.argsort(code, kind="stable")          # each program's people, in the order of P
        bounds = np.searchsorted(code[order], np.arange(len(pids) + 1))
        for c in sorted(range(len(pids)), key=lambda i: pids[i]):
            m = order[bounds[c]:bounds[c + 1]]
            if len(m) >= _MIN_PEOPLE:
                pid = pids[c]
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


def first_program(pt: pd.DataFrame, sc: np.ndarray) -> np.ndarray:
    """``program_id`` of the first row with person-time (``days > 0``) of each staff code ``sc`` in the
    person-time panel ``pt`` (its ``sc`` column), ``None`` for staff without such a row: an object array.

    Examples
    --------
    >>> pt = pd.DataFrame({"sc": [0, 0, 2, 2], "days": [0, 5, 3, 4], "program_id": ["A", "B", "C", "D"]})
    >>> first_program(pt, np.array([2, 1, 0, -1])).tolist()
    ['C', None, 'B', None]
    """
    rows = np.flatnonzero(pt["days"].to_numpy() > 0)
    code = pt["sc"].to_numpy()[rows]
    out = np.full(len(sc), None, dtype=object)
    if not len(rows):
        return out
    codes, at = np.unique(code, return_index=True)   # the first row of each staff code
    prog = pt["program_id"].to_numpy(dtype=object)[rows[at]]
    sc = np.asarray(sc, dtype=np.int64)
    pos = np.minimum(np.searchsorted(codes, sc), len(codes) - 1)
    hit = (codes[pos] == sc) & (sc >= 0)
    out[hit] = prog[pos[hit]]
    return out


def _after_supervisor_exit(org, cut, obs0, P: pd.DataFrame, look: int) -> list[dict]:
    c = supervisor_cohorts(org, cut, look)
    c = c[c["sup_exit"] + DAY >= obs0]
    if not len(c):
        return []
    start = (c["sup_exit"] + DAY).to_numpy()
    pos = P.index.get_indexer(c["staff_id"])          # each cohort member's row of P (-1: not in P), hashed once
    end = np.where(pos >= 0, P["end"].to_numpy()[np.maximum(pos, 0)], np.datetime64("NaT"))
    ok = ~np.isnat(end) & (end > start)
    start, end, who = start[ok], end[ok], pos[ok]
    if len(who) < _MIN_PEOPLE:
        return []
    dur = (end - start) // np.timedelta64(1, "D")
    ev = ~np.isnat(P["exit"].to_numpy()[who])
    rows = [_km(dur, ev, np.zeros(len(dur)), 12, "people whose supervisor had just left", "supervisor left")]
    days = pd.DatetimeIndex(pd.unique(start)).sort_values()
    if len(days) > _MAX_DAYS:
        days = days[np.linspace(0, len(days) - 1, _MAX_DAYS).round().astype(int)]
    # everyone employed on each sampled day, less the people in a cohort starting that day
    hire, end_all = P["hire"].to_numpy(), P["end"].to_numpy()
    exited = P["exited"].to_numpy()
    since = start
    d_all, e_all = [], []
    for day in days.to_numpy():
        here = (hire <= day) & (end_all > day)
        out = who[(since == day) & (who >= 0)]
        here[out] = False
        d_all.append((end_all[here] - day) // np.timedelta64(1, "D"))
        e_all.append(exited[here])
    d_all, e_all = np.concatenate(d_all), np.concatenate(e_all)
    rows.append(_km(d_all, e_all, np.zeros(len(d_all)), 12, "everyone else on the same days", "comparison"))
    return rows
