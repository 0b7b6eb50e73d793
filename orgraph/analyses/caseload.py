"""Caseload distribution: who carries the clients, month by month.

Averages hide the people who carry twice the load. This module reports each
month's caseload *distribution* (percentiles, Gini coefficient, share held by
the top decile), the same by program and by supervisor, the people above the
org's 90th percentile for several consecutive months, and how much faster those
people leave.

It also holds the monthly person-time machinery other analyses share:
:func:`person_months` (one row per person per calendar month employed, with the
days at risk, the exit, and the seat, program and supervisor on the first day at
risk) and :func:`caseload_runs` (each caseload record with its month's
percentile cut-off and the length of the above-cut-off run it ends).

Exit rates are person-time rates: exits per person-day at risk. A person-month
counts as *sustained high* when the person's caseload was above the month's
90th percentile in each of the ``consecutive_months`` months **before** it (the
exposure is known before the month in which an exit may happen).
"""
from __future__ import annotations

import datetime as dt
import math
import weakref

import numpy as np
import pandas as pd

from ..config import DEFAULTS
from ..errors import AnalysisError
from ..plain import jsonable
from .exposure import setting
from ..graph import as_date
from ..stats import gini, rate_ratio

__all__ = ["caseload_distribution", "person_months", "caseload_runs", "example_org"]

_DAYS_PER_YEAR = 365.25


# --------------------------------------------------------------- shared helpers
def example_org():
    """A five-person org used in the doctests of the caseload-family analyses.

    Program A: supervisor S1 (leaves 2022-03-15) over clinicians C1, C2, C3; C1
    carries 40 clients a month (the others 20) and leaves 2022-05-20. Program B:
    clinician C4 (10 clients). Caseload and documentation cover January to
    April 2022; C1 documents 12 hours per 10 session hours, everyone else 5.
    Data end 2022-06-30.

    Examples
    --------
    >>> org = example_org()
    >>> org.data_end.isoformat(), len(org.data.staff)
    ('2022-06-30', 5)
    """
    from ..graph import OrgGraph
    from ..model import Assignment, OrgData, Position, Program, Staff, Supervision

    d = dt.date
    staff = {
        "S1": Staff("S1", "Sam", "LCSW", d(2021, 1, 1), d(2022, 3, 15), "voluntary"),
        "C1": Staff("C1", "Cy", "LPC", d(2021, 1, 1), d(2022, 5, 20), "voluntary"),
        "C2": Staff("C2", "Di", "LPC", d(2021, 1, 1)),
        "C3": Staff("C3", "Ed", "LPC", d(2021, 1, 1)),
        "C4": Staff("C4", "Flo", "LPC", d(2021, 1, 1)),
    }
    programs = {"A": Program("A", "Outpatient", "outpatient"), "B": Program("B", "Crisis", "crisis")}
    positions = {"PS": Position("PS", "Supervisor", "A", "supervisor")}
    for i, prog in ((1, "A"), (2, "A"), (3, "A"), (4, "B")):
        positions[f"P{i}"] = Position(f"P{i}", "Therapist", prog, "clinician")
    assignments = [Assignment("S1", "PS", d(2021, 1, 1), d(2022, 3, 15))]
    assignments += [Assignment(f"C{i}", f"P{i}", d(2021, 1, 1), staff[f"C{i}"].termination_date) for i in range(1, 5)]
    supervision = [Supervision(f"C{i}", "S1", d(2021, 1, 1), d(2022, 3, 15) if i > 1 else d(2022, 3, 15))
                   for i in range(1, 4)]
    months = pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01"])
    load = {"C1": 40, "C2": 20, "C3": 20, "C4": 10}
    caseload = pd.DataFrame([(s, m, n) for m in months for s, n in load.items()],
                            columns=["staff_id", "month", "active_clients"])
    documentation = pd.DataFrame([(s, m, 10.0, 12.0 if s == "C1" else 5.0) for m in months for s in load],
                                 columns=["staff_id", "month", "session_hours", "documentation_hours"])
    clients = pd.DataFrame({
        "client_id": ["K1", "K2", "K3", "K4"], "staff_id": ["C1", "C1", "C1", "C2"],
        "start_date": pd.to_datetime(["2022-01-10", "2022-02-01", "2022-04-01", "2022-01-05"]),
        "end_date": pd.to_datetime([None, "2022-03-01", "2022-05-20", None]),
    })
    data = OrgData(staff=staff, programs=programs, positions=positions, assignments=assignments,
                   supervision=supervision, caseload=caseload, documentation=documentation,
                   client_assignments=clients, present={"caseload", "documentation", "client_assignments"})
    return OrgGraph(data, data_end=d(2022, 6, 30))


def _setting(org, section: str, key: str, value=None):
    """``value`` if given, else the org's configured setting, else the default (see :func:`exposure.setting`)."""
    got = setting(org, section, key, value)
    return DEFAULTS[section][key] if got is None else got


_jsonable = jsonable


def _records(df: pd.DataFrame) -> list[dict]:
    """A DataFrame as a list of JSON-ready dicts."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]


def _ns(values) -> pd.Series:
    """Datetimes at nanosecond resolution (merge_asof needs both sides alike)."""
    return pd.to_datetime(values).astype("datetime64[ns]")


def _codes(org, ids) -> np.ndarray:
    """Integer code of each staff id (its row in ``org.staff_frame``; -1 if unknown): fast join keys."""
    return org.staff_frame.index.get_indexer(pd.Index(np.asarray(ids, dtype=object))).astype(np.int64)


def _key(codes, mi) -> np.ndarray:
    """One int64 key per (staff code, month index)."""
    return np.asarray(codes, dtype=np.int64) * 100_000 + np.asarray(mi, dtype=np.int64)


def _take(left_key, right_key, values, fill=np.nan) -> np.ndarray:
    """``values`` of the row of ``right_key`` equal to each ``left_key`` (``fill`` where none); keys unique."""
    idx = pd.Index(np.asarray(right_key)).get_indexer(np.asarray(left_key))
    vals = np.asarray(values)
    if vals.dtype.kind in "biu" and not isinstance(fill, (int, np.integer)):
        vals = vals.astype(float)
    if vals.dtype.kind == "b" and isinstance(fill, (bool, np.bool_)):
        vals = vals.astype(bool)
    out = vals[np.where(idx >= 0, idx, 0)] if len(vals) else np.full(len(idx), fill, dtype=object)
    if len(vals):
        out = out.astype(object) if (vals.dtype == object or (fill is None)) else out
        out[idx < 0] = fill
    return out


def _month_index(ts) -> np.ndarray:
    """Months since 1970-01 of a datetime Series/array (NaT gives a very negative number)."""
    return np.asarray(pd.to_datetime(ts)).astype("datetime64[M]").astype(np.int64)


def _month_start(idx) -> np.ndarray:
    """First day of month ``idx`` (months since 1970-01) as ``datetime64[ns]``."""
    return np.asarray(idx, dtype=np.int64).astype("datetime64[M]").astype("datetime64[ns]")


def _per_year(events: float, days: float):
    return None if not days else events / days * _DAYS_PER_YEAR


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _round(x, nd=4):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def _rr_record(events_a, days_a, events_b, days_b, *, label_a: str, label_b: str) -> dict:
    """:func:`orgraph.stats.rate_ratio` plus annual rates and labels, JSON-ready."""
    rr = rate_ratio(int(events_a), float(days_a), int(events_b), float(days_b))
    out = {
        "group": label_a, "reference": label_b,
        "exits": int(events_a), "person_years": _round(days_a / _DAYS_PER_YEAR, 2),
        "exit_rate_per_year": _round(_per_year(events_a, days_a)),
        "reference_exits": int(events_b), "reference_person_years": _round(days_b / _DAYS_PER_YEAR, 2),
        "reference_exit_rate_per_year": _round(_per_year(events_b, days_b)),
        "rate_ratio": rr["rate_ratio"], "ci_low": rr["ci_low"], "ci_high": rr["ci_high"],
        "p_value": rr["p_value"], "method": rr["method"],
    }
    return _jsonable(out)


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _cached(org, name: str, build):
    """``build()`` once per org and name (analyses of one audit share the monthly tables); a copy each time."""
    try:
        store = _CACHE.setdefault(org, {})
    except TypeError:
        return build()
    if name not in store:
        store[name] = build()
    return store[name].copy()


def person_months(org) -> pd.DataFrame:
    """One row per person per calendar month employed, within the data window.

    Parameters
    ----------
    org : OrgGraph

    Returns
    -------
    DataFrame
        ``staff_id``, ``month`` (first of month), ``mi`` (months since
        1970-01), ``ref`` (first day at risk in the month: the 1st, or the hire
        date), ``days`` (days employed in the month, up to ``data_end``),
        ``exit`` (the person's last day falls in the month), ``position_id``,
        ``program_id``, ``role_kind`` (the seat most recently taken up on or
        before ``ref``; ``"other"`` when none) and ``supervisor_id`` (supervisor
        on ``ref``, ``None`` when none). Sorted by ``ref``.

    Examples
    --------
    >>> from orgraph.analyses.caseload import example_org
    >>> pm = person_months(example_org())
    >>> c1 = pm[pm.staff_id == "C1"]
    >>> len(c1), int(c1.days.sum()), c1.exit.tolist()[-2:], c1.supervisor_id.tolist()[-3:]
    (17, 505, [False, True], ['S1', None, None])
    """
    return _cached(org, "person_months", lambda: _person_months(org))


def _person_months(org) -> pd.DataFrame:
    sf = org.staff_frame
    start = pd.Timestamp(org.data_start)
    censor = org.censor
    hire = sf["hire"].clip(lower=start)
    end = sf["end"].clip(upper=censor)
    keep = (end > hire).to_numpy()
    ids = sf["staff_id"].to_numpy()[keep]
    hire, end = hire[keep], end[keep]
    m0 = _month_index(hire)
    m1 = _month_index(end - pd.Timedelta(days=1))
    n = (m1 - m0 + 1).astype(np.int64)
    rep = np.repeat(np.arange(len(ids)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    mi = m0[rep] + offs
    mstart = _month_start(mi)
    mnext = _month_start(mi + 1)
    h = hire.to_numpy()[rep]
    e = end.to_numpy()[rep]
    ref = np.maximum(h, mstart)
    days = ((np.minimum(e, mnext) - ref) / np.timedelta64(1, "D")).astype(np.int64)
    exited = sf["exited"].to_numpy()[keep][rep]
    exit_mi = _month_index(sf["exit"][keep])[rep]
    codes = np.arange(len(sf), dtype=np.int64)[keep]
    pm = pd.DataFrame({
        "staff_id": ids[rep], "sc": codes[rep], "month": mstart, "mi": mi, "ref": ref, "days": days,
        "exit": exited & (exit_mi == mi),
    })
    return _attach_context(org, pm)


def _latest_started(org, left: pd.DataFrame, intervals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``left`` (``ref``, ``sc``), the row number in ``intervals`` (sorted by
    ``start``) of that person's interval most recently started on or before ``ref``.

    Returns ``(jj, ok)``: row numbers (0 where none) and whether one exists.
    """
    right = pd.DataFrame({"start": _ns(intervals["start"]).to_numpy(), "sc": _codes(org, intervals["staff_id"]),
                          "j": np.arange(len(intervals))})
    j = pd.merge_asof(left, right, left_on="ref", right_on="start", by="sc", direction="backward")["j"]
    return j.fillna(0).astype(np.int64).to_numpy(), j.notna().to_numpy()


def _attach_context(org, df: pd.DataFrame) -> pd.DataFrame:
    """Add ``position_id``, ``program_id``, ``role_kind`` and ``supervisor_id`` on each row's ``ref`` day.

    The seat is the one most recently taken up on or before ``ref``; the
    supervisor is the one whose supervision covers ``ref``. Returns a copy
    sorted by ``ref``.
    """
    pm = df.assign(ref=_ns(df["ref"]))
    if "sc" not in pm.columns:
        pm["sc"] = _codes(org, pm["staff_id"])
    pm = pm.sort_values(["ref", "sc"], kind="stable").reset_index(drop=True)
    # merge_asof on narrow integer frames, then take the wanted columns by row number (object columns are
    # expensive to carry through a merge)
    left = pd.DataFrame({"ref": pm["ref"].to_numpy(), "sc": pm["sc"].to_numpy()})
    af = org.assignment_frame
    n = len(pm)
    if len(af):
        seats = af.sort_values("start", kind="stable")
        jj, ok = _latest_started(org, left, seats)
        for col in ("position_id", "program_id", "role_kind"):
            vals = seats[col].to_numpy(dtype=object)[jj]
            vals[~ok] = None
            pm[col] = vals
    else:
        pm["position_id"] = pm["program_id"] = pm["role_kind"] = np.full(n, None, dtype=object)
    pm["role_kind"] = pm["role_kind"].fillna("other")
    sv = org.supervision_frame
    sup_ids = np.full(n, None, dtype=object)
    if len(sv):
        sup = sv.sort_values("start", kind="stable")
        jj, ok = _latest_started(org, left, sup)
        ends = _ns(sup["end"]).to_numpy()[jj]
        ok &= ends > left["ref"].to_numpy()
        sup_ids = sup["supervisor_id"].to_numpy(dtype=object)[jj]
        sup_ids[~ok] = None
    pm["supervisor_id"] = sup_ids
    return pm


def caseload_runs(org, *, percentile=None) -> pd.DataFrame:
    """Each caseload record with its month's cut-off and the above-cut-off run it ends.

    Parameters
    ----------
    org : OrgGraph
    percentile : float, optional
        Cut-off percentile, default ``[caseload] percentile`` (90).

    Returns
    -------
    DataFrame
        ``staff_id``, ``month``, ``mi``, ``active_clients``, ``cutoff`` (the
        month's percentile over everyone with a record, linear interpolation),
        ``pct_rank`` (percent of that month's records at or below this one),
        ``above`` (``active_clients > cutoff``) and ``run`` (consecutive
        calendar months above the cut-off ending this month; 0 when not above).

    Examples
    --------
    >>> from orgraph.analyses.caseload import example_org
    >>> r = caseload_runs(example_org())
    >>> r[r.staff_id == "C1"]["run"].tolist()
    [1, 2, 3, 4]
    """
    pct = float(_setting(org, "caseload", "percentile", percentile))
    return _cached(org, f"caseload_runs:{pct}", lambda: _caseload_runs(org, pct))


def _caseload_runs(org, pct: float) -> pd.DataFrame:
    cl = org.data.caseload
    cols = ["staff_id", "sc", "month", "mi", "active_clients", "cutoff", "pct_rank", "above", "run"]
    if not len(cl):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = cl[["staff_id", "month", "active_clients"]].copy()
    df["month"] = pd.to_datetime(df["month"])
    df["mi"] = _month_index(df["month"])
    df["active_clients"] = df["active_clients"].astype(float)
    g = df.groupby("mi")["active_clients"]
    df["cutoff"] = g.transform("quantile", pct / 100.0)
    df["pct_rank"] = g.rank(method="max", pct=True) * 100.0
    df["above"] = df["active_clients"] > df["cutoff"]
    df["sc"] = _codes(org, df["staff_id"])
    df = df.sort_values(["sc", "mi"], kind="stable").reset_index(drop=True)
    same = (df["sc"] == df["sc"].shift()) & (df["mi"] == df["mi"].shift() + 1)
    brk = ~(same & df["above"] & df["above"].shift(fill_value=False))
    grp = brk.cumsum()
    df["run"] = np.where(df["above"], df.groupby(grp).cumcount() + 1, 0)
    return df[cols]


def _dist(values: np.ndarray) -> dict:
    v = np.sort(np.asarray(values, dtype=float))
    n = v.size
    if n == 0:
        return {}
    top = int(math.ceil(n / 10))
    total = v.sum()
    p10, p25, p50, p75, p90 = np.percentile(v, [10, 25, 50, 75, 90])
    return {
        "staff": int(n), "mean": _round(v.mean(), 2), "p10": _round(p10, 2), "p25": _round(p25, 2),
        "median": _round(p50, 2), "p75": _round(p75, 2), "p90": _round(p90, 2), "max": _round(v[-1], 2),
        "gini": _round(gini(v)), "top_decile_share": _round(v[-top:].sum() / total) if total > 0 else None,
    }


def _group_gini(df: pd.DataFrame, key: str) -> pd.Series:
    """Gini coefficient of ``active_clients`` within each group, vectorised (same formula as :func:`gini`)."""
    d = df[[key, "active_clients"]].sort_values([key, "active_clients"], kind="stable")
    g = d.groupby(key, sort=True)["active_clients"]
    i = g.cumcount() + 1
    n = g.transform("size")
    tot = g.transform("sum")
    num = (i * d["active_clients"]).groupby(d[key]).sum()
    n1, t1 = n.groupby(d[key]).first(), tot.groupby(d[key]).first()
    out = 2 * num / (n1 * t1) - (n1 + 1) / n1
    return out.where(t1 > 0, 0.0)


def _exposure_rate_ratio(pm: pd.DataFrame, flag: pd.Series, *, label_a: str, label_b: str) -> dict:
    """Rate ratio of exits in person-months where ``flag`` is True vs False (NaN rows dropped)."""
    ok = flag.notna().to_numpy()
    f = flag[ok].astype(bool).to_numpy()
    d = pm["days"].to_numpy()[ok]
    x = pm["exit"].to_numpy()[ok]
    return _rr_record(x[f].sum(), d[f].sum(), x[~f].sum(), d[~f].sum(), label_a=label_a, label_b=label_b)


def caseload_distribution(org, *, percentile=None, consecutive_months=None, as_of=None) -> dict:
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
    dict
        ``by_month`` (records: ``month``, ``staff``, ``mean``, ``p10``,
        ``p25``, ``median``, ``p75``, ``p90``, ``max``, ``gini``,
        ``top_decile_share``), ``by_program`` and ``by_supervisor`` (over all
        months: ``staff``, ``person_months``, percentiles of monthly
        caseloads, ``share_above_cutoff`` = share of person-months above the
        org's monthly cut-off, ``sustained_people``), ``sustained`` (records,
        one per run of at least ``consecutive_months`` months above the
        cut-off: ``staff_id``, ``name``, ``program_id``, ``first_month``,
        ``last_month``, ``months``, ``mean_caseload``, ``exited``,
        ``exit_date``), ``exit_rate`` (sustained-high person-months vs all
        other person-months with a caseload record in the month before; rate
        ratio and 95% interval from :func:`orgraph.stats.rate_ratio`),
        ``records`` (= ``by_program``), ``settings`` and ``summary`` (one
        sentence).

    Raises
    ------
    AnalysisError
        If the bundle has no caseload data.

    Examples
    --------
    >>> from orgraph.analyses.caseload import example_org
    >>> res = caseload_distribution(example_org())
    >>> res["by_month"][0]["month"], res["by_month"][0]["staff"], res["by_month"][0]["median"]
    ('2022-01-01', 4, 20.0)
    >>> [(s["staff_id"], s["months"]) for s in res["sustained"]]
    [('C1', 4)]
    """
    pct = float(_setting(org, "caseload", "percentile", percentile))
    k = int(_setting(org, "caseload", "consecutive_months", consecutive_months))
    if k < 1:
        raise AnalysisError(f"consecutive_months must be at least 1 (got {k})")
    if not len(org.data.caseload):
        raise AnalysisError("no caseload data: the bundle has no caseload.csv rows, so caseload cannot be analysed")
    runs = caseload_runs(org, percentile=pct)
    pm = person_months(org)
    if as_of is not None:
        day = pd.Timestamp(as_date(as_of))
        runs = runs[runs["mi"] <= _month_index([day])[0]]
        pm = pm[pm["ref"] <= day]
    # --- by month
    by_month = []
    for mi, grp in runs.groupby("mi", sort=True):
        by_month.append({"month": _jsonable(_month_start([mi])[0].astype("datetime64[D]").item()),
                         **_dist(grp["active_clients"].to_numpy()),
                         "cutoff": _round(grp["cutoff"].iloc[0], 2)})
    # --- attach program / supervisor to each caseload record
    cr = runs.copy()
    rk, pk = _key(runs["sc"], runs["mi"]), _key(pm["sc"], pm["mi"])
    cr["program_id"] = _take(rk, pk, pm["program_id"].to_numpy(), None)
    cr["supervisor_id"] = _take(rk, pk, pm["supervisor_id"].to_numpy(), None)
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
        return _records(t[[key, "staff", "person_months", "mean", "median", "p90", "max", "gini",
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
    runs_g["first_month"] = pd.to_datetime(_month_start(runs_g["first_mi"].to_numpy()))
    runs_g["last_month"] = pd.to_datetime(_month_start(runs_g["last_mi"].to_numpy()))
    runs_g["mean_caseload"] = runs_g["mean_caseload"].round(2)
    runs_g["exited"] = runs_g["staff_id"].map(sf["exited"]).fillna(False).astype(bool)
    runs_g["exit_date"] = runs_g["staff_id"].map(sf["exit"]).where(runs_g["exited"])
    runs_g = runs_g.sort_values(["months", "staff_id", "first_mi"], ascending=[False, True, True], kind="stable")
    sustained = _records(runs_g[["staff_id", "name", "program_id", "first_month", "last_month", "months",
                                 "mean_caseload", "exited", "exit_date"]])
    # --- exit rate: exposure = run length in the previous month >= k
    pmx = pm.assign(run=_take(_key(pm["sc"], pm["mi"]), _key(runs["sc"], runs["mi"] + 1),
                              runs["run"].to_numpy()))
    flag = (pmx["run"] >= k).where(pmx["run"].notna())
    exit_rate = _exposure_rate_ratio(
        pmx, flag, label_a=f"above the {pct:g}th percentile for the previous {k}+ months",
        label_b="everyone else with a caseload")
    summary = _summary(by_program, exit_rate, sustained, pct, k)
    return {
        "by_month": by_month, "by_program": by_program, "by_supervisor": by_supervisor,
        "sustained": sustained, "exit_rate": exit_rate, "records": by_program,
        "settings": {"percentile": pct, "consecutive_months": k},
        "summary": summary,
    }


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
