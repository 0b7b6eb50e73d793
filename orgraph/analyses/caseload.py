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
from . import shared
from .continuity import distinct_counts
from .coverage import MISSING, uncovered_exits
from .hazards import caseload_hazard, month_rows, record_rows
from .persontime import column_codes
from .panel import (caseload_runs, exposure_rate_ratio, jsonable, month_index, month_start, person_months, records,
                    rounded, rows_where, setting_of)

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


def group_stats(codes, values, n_groups: int) -> dict:
    """Per group: ``size``, ``sum``, ``mean``, ``median``, ``p90`` (linear interpolation), ``max`` and ``gini`` of
    ``values`` (groups 0..n_groups-1, each with at least one row): one lexsort, the same arithmetic as pandas'
    grouped ``mean``/``median``/``quantile(0.9)`` and :func:`~orgraph.stats.gini` (exact on whole numbers).

    Examples
    --------
    >>> s = group_stats([0, 0, 1, 0], [4.0, 1.0, 3.0, 2.0], 2)
    >>> s["median"].tolist(), s["p90"].tolist(), s["max"].tolist(), s["gini"].round(4).tolist()
    ([2.0, 3.0], [3.6, 3.0], [4.0, 3.0], [0.2857, 0.0])
    """
    c = np.asarray(codes, dtype=np.int64)
    v = np.asarray(values, dtype=float)
    whole = bool(len(v) and n_groups < 2 ** 31 and v.min() >= 0 and v.max() < 2 ** 31 and (v == np.floor(v)).all())
    width = int(v.max()) + 1 if whole else 0
    if whole and n_groups * width <= 4 * len(v) + 65_536:
        # small whole numbers (counts): a counting sort, the sorted (group, value) pairs read off the bin counts
        key = np.repeat(np.arange(n_groups * width, dtype=np.int64),
                        np.bincount(c * width + v.astype(np.int64), minlength=n_groups * width))
        cs, vs = np.divmod(key, width)
        vs = vs.astype(float)
        del key
    elif whole:
        key = (c << 32) | v.astype(np.int64)          # whole numbers: one sort of (group, value) integer keys
        key.sort()
        vs, cs = (key & 0xFFFFFFFF).astype(float), key >> 32
        del key
    else:
        order = np.lexsort((v, c))
        vs, cs = v[order], c[order]
    n = np.bincount(c, minlength=n_groups)
    total = np.bincount(c, weights=v, minlength=n_groups)
    s0 = np.cumsum(n) - n                            # first sorted row of each group
    half = n // 2
    median = np.where(n % 2 == 1, vs[s0 + half], (vs[s0 + half] + vs[s0 + np.maximum(half - 1, 0)]) / 2)
    q = 0.9 * (n - 1).astype(float)                  # pandas' group_quantile, linear
    lo = q.astype(np.int64)
    frac = q % 1
    val = vs[s0 + lo]
    nxt = vs[np.minimum(s0 + lo + 1, s0 + n - 1)]
    p90 = np.where(frac == 0.0, val, val + (nxt - val) * frac)
    rank = np.arange(1, len(vs) + 1) - np.repeat(s0, n)         # 1..n within each group, in sorted order
    num = np.bincount(cs, weights=rank * vs, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        gini_ = np.where(total > 0, 2 * num / (n * total) - (n + 1) / n, 0.0)
    return {"size": n, "sum": total, "mean": total / n, "median": median, "p90": p90,
            "max": vs[s0 + n - 1], "gini": gini_}


def label_codes(values: np.ndarray, rows: np.ndarray, none: str = "(none)", *,
                factorized: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sorted group labels and each row's code: ``values[rows]``, with ``none`` where ``rows`` is -1 or the
    value is missing (as ``fillna(none)`` and a sorted groupby give them). ``factorized``: ``values`` already as
    (codes, distinct values; -1 for missing), e.g. a panel's :func:`~orgraph.analyses.persontime.column_codes`.

    Examples
    --------
    >>> labels, g = label_codes(np.array(["b", None, "a"], dtype=object), np.array([0, 1, -1, 0]))
    >>> labels.tolist(), g.tolist()
    (['(none)', 'b'], [1, 0, 0, 1])
    >>> label_codes(None, np.array([0, 1, -1, 0]), factorized=(np.array([1, -1, 0]), np.array(["a", "b"])))[1].tolist()
    [1, 0, 0, 1]
    """
    code, labels = pd.factorize(values) if factorized is None else factorized
    labels = np.asarray(labels, dtype=object)
    where = np.flatnonzero(labels == none)
    if len(where):
        none_code = int(where[0])
    else:
        none_code = len(labels)
        labels = np.append(labels, np.array([none], dtype=object))
    code = np.where(code >= 0, code, none_code)
    row_code = np.where(rows >= 0, code[np.maximum(rows, 0)], none_code)
    used = np.flatnonzero(np.bincount(row_code, minlength=len(labels)))
    used = used[np.argsort(labels[used], kind="stable")]
    remap = np.full(len(labels), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return labels[used], remap[row_code]


def month_groups(mi: np.ndarray) -> list[np.ndarray]:
    """Row numbers of each month of ``mi``, months in increasing order, rows in their own order within a month
    (as ``groupby(mi, sort=True)`` gives them): one stable sort, no frame.

    Examples
    --------
    >>> [g.tolist() for g in month_groups(np.array([605, 603, 605, 604, 603]))]
    [[1, 4], [3], [0, 2]]
    """
    mi = np.asarray(mi)
    if not len(mi):
        return []
    order = np.argsort(mi, kind="stable")
    ms = mi[order]
    cuts = np.flatnonzero(ms[1:] != ms[:-1]) + 1
    return np.split(order, cuts)


def run_table(staff_id, mi, run, values, above) -> pd.DataFrame:
    """One row per run of above-cut-off months (rows sorted by person, then month; ``run`` counts 1, 2, ... along
    each run): ``staff_id``, ``first_mi``, ``last_mi``, ``months`` (the longest ``run``) and ``mean_caseload``
    (mean of ``values``), as ``groupby`` of the above rows by ``cumsum(run == 1)`` gives them, by segment sums.

    Examples
    --------
    >>> t = run_table(np.array(["a", "a", "a", "b", "b"], dtype=object), np.array([600, 601, 602, 600, 601]),
    ...               np.array([1, 2, 0, 1, 0]), np.array([5.0, 7.0, 1.0, 9.0, 2.0]),
    ...               np.array([True, True, False, True, False]))
    >>> t.to_dict("list")
    {'staff_id': ['a', 'b'], 'first_mi': [600, 600], 'last_mi': [601, 600], 'months': [2, 1], 'mean_caseload': [6.0, 9.0]}
    """
    rows = np.flatnonzero(np.asarray(above, dtype=bool))
    run_a = np.asarray(run)[rows]
    rid = np.cumsum(run_a == 1)
    if not len(rows):
        return pd.DataFrame({"staff_id": np.zeros(0, dtype=object), "first_mi": np.zeros(0, dtype=np.int64),
                             "last_mi": np.zeros(0, dtype=np.int64), "months": np.zeros(0, dtype=run_a.dtype),
                             "mean_caseload": np.zeros(0)}, index=pd.Index(np.zeros(0, dtype=np.int64), name="run_id"))
    starts = np.flatnonzero(np.r_[True, rid[1:] != rid[:-1]])
    m = np.asarray(mi)[rows]
    v = np.asarray(values, dtype=float)[rows]
    if (v == np.floor(v)).all() and np.abs(v).max() < 2 ** 52:
        n = np.diff(np.r_[starts, len(rows)])
        mean = np.add.reduceat(v, starts) / n       # whole numbers: exact sums, as pandas' compensated ones
    else:
        mean = pd.Series(v).groupby(rid).mean().to_numpy()
    return pd.DataFrame({"staff_id": np.asarray(staff_id, dtype=object)[rows[starts]],
                         "first_mi": np.minimum.reduceat(m, starts), "last_mi": np.maximum.reduceat(m, starts),
                         "months": np.maximum.reduceat(run_a, starts), "mean_caseload": mean},
                        index=pd.Index(rid[starts], name="run_id"))


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
    day = cut - pd.Timedelta(days=1)
    last = month_index([day])[0]
    if as_of is not None and not month_index(org.data.caseload["month"]).min() <= last:
        raise NoDataError(f"caseload.csv has no month on or before {as_of_text(cut)}: caseloads cannot be "
                          "analysed for that date")
    # the per-FTE fit first: its design matrix is freed before the shared monthly panels are built (lower peak)
    per_fte = _per_fte(org, as_of)
    runs = caseload_runs(org, percentile=pct)
    pm = person_months(org)
    shared.done_with(org, "person_time")     # in an audit nothing after this reads the person-time panel
    if as_of is not None:
        runs = rows_where(runs, runs["mi"].to_numpy() <= last)
        pm = rows_where(pm, pm["ref"] <= day)
    # --- by month
    ac = runs["active_clients"].to_numpy()
    rmi = runs["mi"].to_numpy()
    cutoff = runs["cutoff"].to_numpy()
    by_month = []
    for rows in month_groups(rmi):
        by_month.append({"month": jsonable(month_start(rmi[rows[:1]])[0].astype("datetime64[D]").item()),
                         **_dist(ac[rows]), "cutoff": rounded(cutoff[rows[0]], 2)})
    # --- program / supervisor of each caseload record, as integer codes (rows of ``pm``)
    at = record_rows(runs["sc"].to_numpy(), rmi, pm["sc"].to_numpy(), pm["mi"].to_numpy())
    above = runs["above"].to_numpy(dtype=float)
    rsc = runs["sc"].to_numpy()
    staff = rsc if len(rsc) and rsc.min() >= 0 else pd.factorize(runs["staff_id"])[0]
    sust = np.zeros(int(staff.max()) + 1 if len(staff) else 0, dtype=bool)
    sust[staff[runs["run"].to_numpy() >= k]] = True
    sust_row = sust[staff]

    def group_table(key: str) -> list[dict]:
        labels, g = label_codes(None, at, factorized=column_codes(pm, key))
        st = group_stats(g, ac, len(labels))
        n = st["size"]
        t = pd.DataFrame({
            "staff": distinct_counts(g, staff, len(labels)), "person_months": n, "mean": st["mean"],
            "median": st["median"], "max": st["max"].astype(ac.dtype),
            "share_above_cutoff": np.bincount(g, weights=above, minlength=len(labels)) / n,
            "p90": st["p90"], "gini": st["gini"],
            "sustained_people": distinct_counts(g[sust_row], staff[sust_row], len(labels)).astype(int),
        }, index=pd.Index(labels, name=key))
        t = t.round({"mean": 2, "median": 2, "p90": 2, "max": 2, "gini": 4, "share_above_cutoff": 4})
        t = t.reset_index().sort_values(["share_above_cutoff", key], ascending=[False, True], kind="stable")
        return records(t[[key, "staff", "person_months", "mean", "median", "p90", "max", "gini",
                           "share_above_cutoff", "sustained_people"]])

    by_program = group_table("program_id")
    by_supervisor = group_table("supervisor_id")
    del at, above, sust, sust_row, staff     # record-long; the steps below do not read them
    # --- sustained runs (one record per run of >= k months)
    runs_g = run_table(runs["staff_id"].to_numpy(), rmi, runs["run"].to_numpy(), ac, runs["above"].to_numpy())
    runs_g = runs_g[runs_g["months"].to_numpy() >= k].copy()
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
    prev = month_rows(pm["sc"], pm["mi"], runs["sc"], runs["mi"].to_numpy() + 1)
    flag = pd.Series(np.where(prev >= 0, runs["run"].to_numpy()[np.maximum(prev, 0)] >= k, np.nan))
    exit_rate = exposure_rate_ratio(
        pm, flag, label_a=f"above the {pct:g}th percentile for the previous {k}+ months",
        label_b="everyone else with a caseload")
    summary = _summary(by_program, exit_rate, sustained, pct, k)
    gap = uncovered_exits(org, "caseload", cut, what="caseloads", lag_months=1)
    return Result("caseload", as_of_text(cut), {"percentile": pct, "consecutive_months": k}, by_program, summary,
                  {"by_month": by_month, "by_program": by_program, "by_supervisor": by_supervisor,
                   "sustained": sustained, "exit_rate": exit_rate, "per_fte": per_fte},
                  [gap] if gap else [])


def _per_fte(org, as_of) -> dict | None:
    """The org's caseload-per-FTE relation (:func:`~orgraph.analyses.hazards.caseload_hazard`), compact."""
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
