"""Departure cascades after supervisor exits.

When a supervisor leaves, do the people they supervised leave faster than the
org's ordinary turnover would predict? Each supervisor exit is tested on its own
(observed versus expected cohort exits, exact Poisson), the tests are adjusted
for their number (Benjamini–Hochberg), and an org-level rate ratio says how much
a supervisor's departure raises the risk of leaving in general.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..collector import paused
from ..graph import OrgGraph
from ..result import Result
from ..settings import analysis_cut, resolve
from ..stats import bh_adjust, poisson_ci_many, poisson_sf_many, rate_ratio, relative_risk
from .exposure import DAY, iso, num, observed_from, people, supervisor_cohorts, union_intervals
from .persontime import (column_codes, overlap, person_time, piece_rates, stratum_days, stratum_exits,
                         staff_codes, standard_rates)

__all__ = ["supervisor_cascades", "flatten_cascades"]


def supervisor_cascades(org: OrgGraph, *, window_days: int | None = None, lookback_days: int | None = None,
                        min_observed: int | None = None, alpha: float | None = None, as_of=None) -> Result:
    """Supervisor exits followed by more supervisee exits than expected.

    Parameters
    ----------
    org : OrgGraph
    window_days : int, optional
        Follow-up after each supervisor's last day: days 1 .. ``window_days``
        after it. Default ``[cascades] window_days`` (180).
    lookback_days : int, optional
        The cohort is everyone this supervisor supervised on any of the last
        ``lookback_days`` days of their employment (default 30), so a
        supervisee who moved to another supervisor shortly before still counts.
    min_observed : int, optional
        A cascade needs at least this many cohort exits to be flagged (default 2).
    alpha : float, optional
        ... and a Benjamini–Hochberg adjusted p-value below this (default 0.05).
    as_of : date or str, optional
        Analyse only data up to this day (default: the last day of data).

    Returns
    -------
    Result
        ``table``: one record per supervisor exit with a cohort, sorted by
        exit date: ``supervisor_id, exit_date, cohort_size, observed, expected,
        relative_risk, ci_low, ci_high, p_value, p_adjusted, flagged,
        window_complete`` (False when the data end cuts the window short),
        ``departures`` (``staff_id, exit_date, days_after``), ``parent`` (the
        supervisor whose cascade this supervisor left in -- the most recent
        such supervisor exit if there were several -- else ``None``),
        ``depth`` and ``children`` (the records of the cascades started by
        cohort members who were supervisors themselves, each a full record).
        ``extras["org"]``: the hazard ratio of leaving while in a post-supervisor-exit
        window versus otherwise (person-time rate ratio, 95% CI, p-value),
        the same standardised for role kind (observed/expected), baseline
        hazards by role kind, and the distribution of ``days_after``.

    Notes
    -----
    *At risk*: a cohort member is at risk from the day after the supervisor's
    last day until the end of the window, their own exit or the data end,
    whichever is first. Members who left on or before the supervisor's last
    day are not in the cohort. *Expected* is indirectly standardised: the
    member's days at risk in each calendar year and tenure band (days since
    hire) times the baseline hazard of their role kind in that year and band,
    where baseline hazards are exits per person-day among all staff outside any
    post-supervisor-exit window, counted on the person-time panel
    (:func:`~orgraph.analyses.persontime.person_time`: role kind = that of the
    seat held on each day; thin cells pooled by :func:`~orgraph.analyses.exposure.band_rates`;
    person-time counts from :func:`~orgraph.analyses.exposure.observed_from`,
    so years before the export window, in which no exit could be recorded, do
    not dilute it). The interval is the exact (Garwood) Poisson interval of
    ``observed`` divided by ``expected``; the p-value is ``P(X >= observed)``
    for ``X ~ Poisson(expected)``. ``baseline_hazard_per_year`` in ``org``
    reports the role kinds' overall rates.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> res = supervisor_cascades(demo_org())
    >>> c = res.table[0]
    >>> c["supervisor_id"], c["cohort_size"], c["observed"], [d["days_after"] for d in c["departures"]]
    ('S1', 4, 3, [10, 40, 90])
    """
    st = resolve(org, "cascades", window_days=window_days, lookback_days=lookback_days, min_observed=min_observed,
                 alpha=alpha)
    W, L, k_min, a = int(st["window_days"]), int(st["lookback_days"]), int(st["min_observed"]), float(st["alpha"])
    cut = analysis_cut(org, as_of)
    obs0 = observed_from(org, cut)
    P = people(org, cut, start=obs0)
    settings = {"window_days": W, "lookback_days": L, "min_observed": k_min, "alpha": a,
                "observed_from": iso(obs0), "as_of": iso(cut - DAY)}

    m = supervisor_cohorts(org, cut, L)
    m = m.join(P[["start", "exit", "end", "role_kind"]], on="staff_id")
    m = m[m["start"].notna()]
    w0 = m["sup_exit"] + DAY
    w1 = w0 + W * DAY
    m["ws"] = np.maximum(w0, m["start"])
    m["we"] = np.minimum(w1, m["end"])
    m["days"] = (m["we"] - m["ws"]).dt.days
    m = m[m["days"] > 0].copy()
    m["departed"] = m["exit"].notna() & (m["exit"] >= w0.loc[m.index]) & (m["exit"] < w1.loc[m.index])

    # baseline hazard by role kind x calendar year x tenure band, from the person-time panel outside every
    # post-supervisor-exit window
    pt = person_time(org, cut)
    expo = union_intervals(pd.DataFrame({"staff_id": m["staff_id"], "start": m["ws"], "end": m["we"]}),
                           "staff_id")
    ov_x = overlap(pt, staff_codes(org, expo["staff_id"]), expo["start"], expo["end"])
    left_in_window = np.zeros(len(org.staff_frame) + 1, dtype=bool)    # by staff code; the last slot: unknown
    left_in_window[staff_codes(org, m.loc[m["departed"], "staff_id"])] = True
    left_in_window[-1] = False
    outside_exit = ~left_in_window[pt["sc"].to_numpy()]
    base_days = stratum_days(pt).sub(stratum_days(pt, pieces=ov_x["piece"], days=ov_x["days"]), fill_value=0)
    rates = standard_rates(base_days, stratum_exits(pt, outside_exit))
    rate = piece_rates(pt, rates)
    ov = overlap(pt, staff_codes(org, m["staff_id"]), m["ws"], m["we"])
    m["expected"] = np.bincount(ov["row"], weights=ov["days"] * rate[ov["piece"].to_numpy()], minlength=len(m))
    at_risk_exit = pt["exit"].to_numpy() & (pt["days"].to_numpy() > 0)
    by = _by_role(pt, at_risk_exit, outside_exit)
    role_codes, roles = column_codes(pt, "role_kind")
    x_role = role_codes[ov_x["piece"].to_numpy()]
    x_in = x_role >= 0                                  # no role kind: no group (as groupby drops it)
    x_days = pd.Series(np.bincount(x_role[x_in], weights=ov_x["days"].to_numpy(dtype=float)[x_in],
                                   minlength=len(roles)), index=pd.Index(roles, dtype=object))
    by["b_days"] = by["days"] - x_days.reindex(by.index).fillna(0.0)
    hazard = (by["b_exits"] / by["b_days"].where(by["b_days"] > 0)).fillna(0.0)

    # one record per supervisor exit (vectorised: aggregates, then one pass over departures)
    agg = m.groupby(["supervisor_id", "sup_exit"], sort=False).agg(
        cohort_size=("staff_id", "size"), observed=("departed", "sum"), expected=("expected", "sum")).reset_index()
    k = agg["observed"].to_numpy()
    mu = agg["expected"].to_numpy()
    lo, hi = poisson_ci_many(k)
    pv = poisson_sf_many(k, mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mu > 0, k / np.where(mu > 0, mu, 1), np.nan)
        lo = np.where(mu > 0, lo / np.where(mu > 0, mu, 1), np.nan)
        hi = np.where(mu > 0, hi / np.where(mu > 0, mu, 1), np.nan)
    with paused():                               # plain records: no collection while they are made
        # departures by (supervisor, exit day as integer nanoseconds); dates as text and days after from the
        # integer times, not one Timestamp per row
        deps: dict = {}
        dep = m[m["departed"]].sort_values(["exit", "staff_id"])
        d_se, d_ex = _ns_of(dep["sup_exit"]), _ns_of(dep["exit"])
        after = (d_ex - d_se) // _DAY_NS                   # whole days, rounded down (as Timedelta.days)
        for sid, se, st, day, n_after in zip(dep["supervisor_id"].tolist(), d_se.tolist(), dep["staff_id"].tolist(),
                                             _iso_days(d_ex), after.tolist()):
            deps.setdefault((sid, se), []).append({"staff_id": st, "exit_date": day, "days_after": n_after})
        complete = (agg["sup_exit"] + (W + 1) * DAY <= cut).to_numpy()
        a_se = _ns_of(agg["sup_exit"])
        cascades: list[dict] = []
        for i, (sid, se, day, n, obs, e) in enumerate(zip(agg["supervisor_id"].tolist(), a_se.tolist(), _iso_days(a_se),
                                                           agg["cohort_size"], k, mu)):
            cascades.append({
                "supervisor_id": sid,
                "exit_date": day,
                "cohort_size": int(n),
                "observed": int(obs),
                "expected": num(e),
                "relative_risk": num(ratio[i]),
                "ci_low": num(lo[i]),
                "ci_high": num(hi[i]),
                "p_value": num(pv[i], 8),
                "p_adjusted": None,
                "flagged": False,
                "window_complete": bool(complete[i]),
                "departures": deps.get((sid, se), []),
                "parent": None,
                "depth": 0,
                "children": [],
            })
        cascades.sort(key=lambda c: (c["exit_date"], c["supervisor_id"]))
        tested = [i for i, c in enumerate(cascades) if c["expected"] and c["expected"] > 0]
        adj = bh_adjust([cascades[i]["p_value"] for i in tested])
        for i, p in zip(tested, adj):
            c = cascades[i]
            c["p_adjusted"] = num(p, 8)
            c["flagged"] = bool(c["observed"] >= k_min and p < a)
    _link_children(cascades)

    # org level
    ev_a = int(at_risk_exit.sum() - by["b_exits"].sum())
    t_a = float(ov_x["days"].sum())
    ev_b = int(by["b_exits"].sum())
    t_b = float(by["b_days"].sum())
    hr = rate_ratio(ev_a, t_a, ev_b, t_b)
    exp_std = float((ov_x["days"] * rate[ov_x["piece"].to_numpy()]).sum())
    std = relative_risk(ev_a, exp_std)
    days_after = [d["days_after"] for c in cascades for d in c["departures"]]
    org_level = {
        "supervisor_exits": len(cascades),
        "tested": len(tested),
        "flagged": sum(c["flagged"] for c in cascades),
        "exposed_exits": ev_a, "exposed_person_days": t_a,
        "baseline_exits": ev_b, "baseline_person_days": t_b,
        "hazard_ratio": num(hr["rate_ratio"]), "ci_low": num(hr["ci_low"]), "ci_high": num(hr["ci_high"]),
        "p_value": num(hr["p_value"], 8), "method": f"person-time rate ratio, {hr['method']} interval",
        "standardized_ratio": num(std["relative_risk"]), "standardized_ci_low": num(std["ci_low"]),
        "standardized_ci_high": num(std["ci_high"]), "standardized_expected": num(exp_std),
        "baseline_hazard_per_year": {k: num(v * 365.25) for k, v in hazard.items()},
        "days_after": _distribution(days_after, W),
    }
    summary = (f"{len(cascades)} supervisor exits with a team; {org_level['flagged']} followed by more team exits "
               f"than usual turnover predicts.")
    untested = []
    if not cascades:
        untested.append("No supervisor with a team left in the window, so supervisor-exit cascades could not be "
                        "tested.")
    elif not len(tested):
        untested.append("No supervisor exit could be compared with the usual exit rate, so cascades could not be "
                        "tested.")
    return Result("cascades", settings["as_of"], settings, cascades, summary, {"org": org_level}, untested)


_DAY_NS = 86_400 * 10**9


def _ns_of(values: pd.Series) -> np.ndarray:
    """Datetimes (no missing one) as int64 nanoseconds since 1970."""
    return values.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _iso_days(ns: np.ndarray) -> list[str]:
    """``YYYY-MM-DD`` of the day of each time (int64 nanoseconds; as :func:`~orgraph.analyses.exposure.iso`).

    Examples
    --------
    >>> _iso_days(_ns_of(pd.Series(pd.to_datetime(["2024-02-29 13:00", "1999-12-31 00:00"]))))
    ['2024-02-29', '1999-12-31']
    """
    days = np.floor_divide(ns, _DAY_NS).astype("datetime64[D]")
    return np.datetime_as_string(days, unit="D").tolist()


def _by_role(pt: pd.DataFrame, at_risk_exit: np.ndarray, outside_exit: np.ndarray) -> pd.DataFrame:
    """Per role kind (sorted): ``days`` of the panel's pieces, ``exits`` at risk and ``b_exits`` (those outside
    every post-supervisor-exit window)."""
    codes, roles = column_codes(pt, "role_kind")
    days, n = pt["days"].to_numpy(), len(roles)
    ok = codes >= 0
    if not ok.all():                                    # no role kind: no group (as groupby drops it)
        codes, days, at_risk_exit, outside_exit = codes[ok], days[ok], at_risk_exit[ok], outside_exit[ok]
    present = np.bincount(codes, minlength=n) > 0
    days = np.bincount(codes, weights=days.astype(float), minlength=n)
    exits = np.bincount(codes[at_risk_exit], minlength=n).astype(np.int64)      # counts: the sums of ones
    b_exits = np.bincount(codes[at_risk_exit & outside_exit], minlength=n).astype(np.int64)
    return pd.DataFrame({"days": days[present], "exits": exits[present], "b_exits": b_exits[present]},
                        index=pd.Index(roles[present], name="role_kind", dtype=object))


def _link_children(cascades: list[dict]) -> None:
    """Attach each cascade to the cascade in which its supervisor left, choosing the most
    recent supervisor exit before theirs when they were in several cohorts (the proximate one)."""
    by_sup = {c["supervisor_id"]: c for c in cascades}
    for c in cascades:  # sorted by exit date: a later parent replaces an earlier one
        for d in c["departures"]:
            child = by_sup.get(d["staff_id"])
            if child is not None and child is not c:
                child["parent"] = c["supervisor_id"]
    for c in cascades:
        if c["parent"] is not None:
            by_sup[c["parent"]]["children"].append(c)
    for c in cascades:
        depth, seen, cur = 0, {c["supervisor_id"]}, c
        while cur["parent"] is not None and cur["parent"] not in seen:
            seen.add(cur["parent"])
            cur = by_sup[cur["parent"]]
            depth += 1
        c["depth"] = depth


def _distribution(days: list[int], window: int, bin_days: int = 30) -> dict:
    if not days:
        return {"count": 0, "median": None, "q1": None, "q3": None, "bins": []}
    arr = np.asarray(days)
    edges = list(range(1, window + 1, bin_days))
    bins = []
    for lo in edges:
        hi = min(lo + bin_days - 1, window)
        bins.append({"from_day": lo, "to_day": hi, "exits": int(((arr >= lo) & (arr <= hi)).sum())})
    return {"count": int(arr.size), "median": float(np.median(arr)),
            "q1": float(np.percentile(arr, 25)), "q3": float(np.percentile(arr, 75)), "bins": bins}


def flatten_cascades(records: list[dict]) -> list[dict]:
    """One flat row per cascade (departures and children as text), for tables and CSV.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> rows = flatten_cascades(supervisor_cascades(demo_org()).table)
    >>> rows[0]["departures"]
    'C1 (+10d); C2 (+40d); C3 (+90d)'
    """
    rows = []
    for c in records:
        row = {k: v for k, v in c.items() if k not in ("departures", "children")}
        row["departures"] = "; ".join(f"{d['staff_id']} (+{d['days_after']}d)" for d in c["departures"])
        row["children"] = "; ".join(ch["supervisor_id"] for ch in c["children"])
        rows.append(row)
    return rows
