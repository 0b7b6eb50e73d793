"""Caseload distribution: who carries the clients, month by month.

Averages hide the people who carry twice the load. This module reports each
month's caseload *distribution* (percentiles, Gini coefficient, share held by
the top decile), the same by program and by supervisor, the people above the
org's 90th percentile for several consecutive months, and how much faster those
people leave.

Exit rates are person-time rates: exits per person-day at risk. A person-month
counts as *sustained high* when the person's caseload was above the month's
90th percentile in each of the ``consecutive_months`` months **before** it (the
exposure is known before the month in which an exit may happen).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import NoDataError, analysis_cut, as_of_text
from ..stats import gini
from .coverage import MISSING, uncovered_exits
from .panel import (caseload_runs, exposure_rate_ratio, jsonable, month_index, month_key, month_start, person_months, records, rounded, setting_of, take)

__all__ = ["caseload_distribution"]


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _dist(values: np.ndarray) -> dict:
    v = np.sort(np.asarray(values, dtype=float))
    n = v.size
    if n == 0:
        return {}
    top = int(math.ceil(n / 10))
    total = v.sum()
    p10, p25, p50, p75, p90 = np.percentile(v, [10, 25, 50, 75, 90])
    return {
        "staff": int(n), "mean": rounded(v.mean(), 2), "p10": rounded(p10, 2), "p25": rounded(p25, 2),
        "median": rounded(p50, 2), "p75": rounded(p75, 2), "p90": rounded(p90, 2), "max": rounded(v[-1], 2),
        "gini": rounded(gini(v)), "top_decile_share": rounded(v[-top:].sum() / total) if total > 0 else None,
    }


def _group_gini(df: pd.DataFrame, key: str) -> pd.Series:
    """Gini coefficient of ``active_clients`` within each group, vectorised (same formula as :func:`gini`)."""
    codes, groups = pd.factorize(df[key], sort=True)     # sorted integer codes: no sort of strings
    a = df["active_clients"].to_numpy(dtype=float)
    order = np.lexsort((a, codes))
    c, v = codes[order], pd.Series(a[order])
    g = v.groupby(c, sort=True)
    i = g.cumcount() + 1
    n1, t1 = g.size(), g.sum()
    num = (i * v).groupby(c, sort=True).sum()
    out = 2 * num / (n1 * t1) - (n1 + 1) / n1
    out = out.where(t1 > 0, 0.0)
    out.index = pd.Index(groups[out.index.to_numpy()], name=key)
    return out



def caseload_distribution(org, *, percentile=None, consecutive_months=None, as_of=None) -> Result:
    """Caseload distribution by month, program and supervisor; sustained high caseloads and their exit rate.

    Parameters
    ----------
    org : OrgGraph
    percentile : float, optional
        "High" means above this percentile of the month's caseloads; default
        ``[caseload] percentile`` (90).
    consecutive_months : int, optional
        Months in a row above it to count as *sustained*; default
        ``[caseload] consecutive_months`` (3).
    as_of : date, optional
        Ignore months starting after this date (default: all data).

    Returns
    -------
    Result
        ``table``: one record per program over all months (``program_id``,
        ``staff``, ``person_months``, percentiles of monthly caseloads,
        ``share_above_cutoff`` = share of person-months above the org's
        monthly cut-off, ``sustained_people``). ``extras``: ``by_month``
        (records: ``month``, ``staff``, ``mean``, ``p10``,
        ``p25``, ``median``, ``p75``, ``p90``, ``max``, ``gini``,
        ``top_decile_share``), ``by_program`` (the table) and ``by_supervisor``
        (the same per supervisor), ``sustained`` (records,
        one per run of at least ``consecutive_months`` months above the
        cut-off: ``staff_id``, ``name``, ``program_id``, ``first_month``,
        ``last_month``, ``months``, ``mean_caseload``, ``exited``,
        ``exit_date``), ``exit_rate`` (sustained-high person-months vs all
        other person-months with a caseload record in the month before; rate
        ratio and 95% interval from :func:`orgraph.stats.rate_ratio`).

    Raises
    ------
    AnalysisError
        If the bundle has no caseload data, or ``as_of`` is outside the data
        (:class:`~orgraph.settings.NoDataError` when no caseload month comes
        on or before it).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = caseload_distribution(example_org())
    >>> m = res.extras["by_month"][0]
    >>> m["month"], m["staff"], m["median"]
    ('2022-01-01', 4, 20.0)
    >>> [(s["staff_id"], s["months"]) for s in res.extras["sustained"]]
    [('C1', 4)]
    """
    pct = float(setting_of(org, "caseload", "percentile", percentile))
    k = int(setting_of(org, "caseload", "consecutive_months", consecutive_months))
    if k < 1:
        raise AnalysisError(f"consecutive_months must be at least 1 (got {k})")
    if not len(org.data.caseload):
        raise AnalysisError(MISSING["caseload"])
    cut = analysis_cut(org, as_of)
    runs = caseload_runs(org, percentile=pct)
    pm = person_months(org)
    if as_of is not None:
        day = cut - pd.Timedelta(days=1)
        runs = runs[runs["mi"] <= month_index([day])[0]]
        pm = pm[pm["ref"] <= day]
    if not len(runs):
        raise NoDataError(f"caseload.csv has no month on or before {as_of_text(cut)}: caseloads cannot be "
                          "analysed for that date")
    # --- by month
    by_month = []
    for mi, grp in runs.groupby("mi", sort=True):
        by_month.append({"month": jsonable(month_start([mi])[0].astype("datetime64[D]").item()),
                         **_dist(grp["active_clients"].to_numpy()),
                         "cutoff": rounded(grp["cutoff"].iloc[0], 2)})
    # --- attach program / supervisor to each caseload record
    cr = runs.copy()
    rk, pk = month_key(runs["sc"], runs["mi"]), month_key(pm["sc"], pm["mi"])
    cr["program_id"] = take(rk, pk, pm["program_id"].to_numpy(), None)
    cr["supervisor_id"] = take(rk, pk, pm["supervisor_id"].to_numpy(), None)
    cr["program_id"] = cr["program_id"].fillna("(none)")
    cr["supervisor_id"] = cr["supervisor_id"].fillna("(none)")
    sust_ids = set(runs.loc[runs["run"] >= k, "staff_id"])

    def group_table(key: str) -> list[dict]:
        g = cr.groupby(key, sort=True)
        t = g.agg(staff=("staff_id", "nunique"), person_months=("staff_id", "size"),
                  mean=("active_clients", "mean"), median=("active_clients", "median"),
                  max=("active_clients", "max"), share_above_cutoff=("above", "mean"))
        t["p90"] = g["active_clients"].quantile(0.9)
        t["gini"] = _group_gini(cr, key)
        sus = cr[cr["staff_id"].isin(sust_ids)].groupby(key)["staff_id"].nunique()
        t["sustained_people"] = sus.reindex(t.index).fillna(0).astype(int)
        t = t.round({"mean": 2, "median": 2, "p90": 2, "max": 2, "gini": 4, "share_above_cutoff": 4})
        t = t.reset_index().sort_values(["share_above_cutoff", key], ascending=[False, True], kind="stable")
        return records(t[[key, "staff", "person_months", "mean", "median", "p90", "max", "gini",
                           "share_above_cutoff", "sustained_people"]])

    by_program = group_table("program_id")
    by_supervisor = group_table("supervisor_id")
    # --- sustained runs (one record per run of >= k months)
    r = runs[runs["above"]].copy()
    r["run_id"] = (r["run"] == 1).cumsum()
    runs_g = r.groupby("run_id").agg(staff_id=("staff_id", "first"), first_mi=("mi", "min"), last_mi=("mi", "max"),
                                     months=("run", "max"), mean_caseload=("active_clients", "mean"))
    runs_g = runs_g[runs_g["months"] >= k].copy()
    sf = org.staff_frame
    runs_g["name"] = runs_g["staff_id"].map(sf["name"])
    runs_g["program_id"] = runs_g["staff_id"].map(sf["program_id"])
    runs_g["first_month"] = pd.to_datetime(month_start(runs_g["first_mi"].to_numpy()))
    runs_g["last_month"] = pd.to_datetime(month_start(runs_g["last_mi"].to_numpy()))
    runs_g["mean_caseload"] = runs_g["mean_caseload"].round(2)
    runs_g["exited"] = runs_g["staff_id"].map(sf["exited"]).fillna(False).astype(bool)
    runs_g["exit_date"] = runs_g["staff_id"].map(sf["exit"]).where(runs_g["exited"])
    runs_g = runs_g.sort_values(["months", "staff_id", "first_mi"], ascending=[False, True, True], kind="stable")
    sustained = records(runs_g[["staff_id", "name", "program_id", "first_month", "last_month", "months",
                                 "mean_caseload", "exited", "exit_date"]])
    # --- exit rate: exposure = run length in the previous month >= k
    pmx = pm.assign(run=take(month_key(pm["sc"], pm["mi"]), month_key(runs["sc"], runs["mi"] + 1),
                              runs["run"].to_numpy()))
    flag = (pmx["run"] >= k).where(pmx["run"].notna())
    exit_rate = exposure_rate_ratio(
        pmx, flag, label_a=f"above the {pct:g}th percentile for the previous {k}+ months",
        label_b="everyone else with a caseload")
    summary = _summary(by_program, exit_rate, sustained, pct, k)
    gap = uncovered_exits(org, "caseload", cut, what="caseloads", lag_months=1)
    return Result("caseload", as_of_text(cut), {"percentile": pct, "consecutive_months": k}, by_program, summary,
                  {"by_month": by_month, "by_program": by_program, "by_supervisor": by_supervisor,
                   "sustained": sustained, "exit_rate": exit_rate, "per_fte": _per_fte(org, as_of)},
                  [gap] if gap else [])


def _per_fte(org, as_of) -> dict | None:
    """The org's caseload-per-FTE relation (:func:`~orgraph.analyses.hazards.caseload_hazard`), compact."""
    from .hazards import caseload_hazard

    try:
        fit = caseload_hazard(org, as_of=as_of)
    except AnalysisError:
        return None
    keys = ("hazard_ratio_per_10", "ci_low", "ci_high", "p_value", "exits", "person_months",
            "mean_caseload_per_fte", "method", "reason")
    return {k: fit.get(k) for k in keys}


def _summary(by_program, exit_rate, sustained, pct, k) -> str:
    people = len({s["staff_id"] for s in sustained})
    parts = [f"{_people(people)} carried caseloads above the {pct:g}th percentile for {k} or more months in a row."]
    if by_program:
        top = by_program[0]
        parts.append(f"Program {top['program_id']} had the most high-caseload months "
                     f"({100 * (top['share_above_cutoff'] or 0):.0f}% of its person-months above the cut-off).")
    rr = exit_rate.get("rate_ratio")
    if rr is not None and exit_rate.get("ci_high") is not None and math.isfinite(rr):
        parts.append(f"They left at {rr:.1f} times the rate of everyone else "
                     f"(95% CI {exit_rate['ci_low']:.1f}–{exit_rate['ci_high']:.1f}).")
    return " ".join(parts)
