"""Documentation burden: hours of paperwork per hour of care.

The ratio is documentation hours divided by session hours. At 1.0 a clinician
spends as long writing about a session as delivering it. Ratios are reported by
person, program and month as *pooled* ratios (total documentation hours over
total session hours), so a month with 2 session hours does not weigh as much as
a month with 80. Months with no session hours have no ratio.

A person-month counts as *high burden* when the person's ratio in the month
before was at or above the threshold (default 1.0), so the exposure is known
before the month in which an exit may happen; the exit rate of high-burden
person-months is compared with that of all other person-months with a ratio in
the month before.
"""
from __future__ import annotations

import pandas as pd

from ..errors import AnalysisError
from ..graph import as_date
from .caseload import _exposure_rate_ratio, _jsonable, _month_index, _month_start, _round, _setting, person_months

__all__ = ["documentation_burden", "doc_ratios"]


def doc_ratios(org) -> pd.DataFrame:
    """Each documentation record with its ratio.

    Parameters
    ----------
    org : OrgGraph

    Returns
    -------
    DataFrame
        ``staff_id``, ``month``, ``mi`` (months since 1970-01),
        ``session_hours``, ``documentation_hours`` and ``ratio``
        (documentation / session hours; NaN when there were no session hours).

    Examples
    --------
    >>> from orgraph.analyses.caseload import example_org
    >>> r = doc_ratios(example_org())
    >>> r.groupby("staff_id")["ratio"].first().to_dict()
    {'C1': 1.2, 'C2': 0.5, 'C3': 0.5, 'C4': 0.5}
    """
    doc = org.data.documentation
    df = doc[["staff_id", "month", "session_hours", "documentation_hours"]].copy()
    df["month"] = pd.to_datetime(df["month"])
    df["mi"] = _month_index(df["month"]) if len(df) else pd.Series(dtype="int64")
    sess = df["session_hours"].astype(float)
    df["ratio"] = (df["documentation_hours"].astype(float) / sess).where(sess > 0)
    return df.sort_values(["staff_id", "mi"], kind="stable").reset_index(drop=True)


def _pooled(grp: pd.DataFrame, threshold: float) -> dict:
    s = float(grp["session_hours"].sum())
    d = float(grp["documentation_hours"].sum())
    rated = grp["ratio"].dropna()
    return {
        "session_hours": _round(s, 2), "documentation_hours": _round(d, 2),
        "ratio": _round(d / s) if s > 0 else None,
        "median_monthly_ratio": _round(rated.median()) if len(rated) else None,
        "share_months_at_or_above": _round((rated >= threshold).mean()) if len(rated) else None,
    }


def documentation_burden(org, *, threshold=None, as_of=None) -> dict:
    """Documentation hours per session hour by person, program and month, and the exit rate of high burden.

    Parameters
    ----------
    org : OrgGraph
    threshold : float, optional
        Ratio at or above which burden is *high*; default
        ``[docburden] threshold`` (1.0: documentation as long as the session).
    as_of : date, optional
        Ignore months starting after this date (default: all data).

    Returns
    -------
    dict
        ``by_person`` (``staff_id``, ``name``, ``program_id``, ``months``,
        ``session_hours``, ``documentation_hours``, ``ratio``,
        ``median_monthly_ratio``, ``months_at_or_above``, ``at_or_above``,
        ``exited``), ``at_or_above`` (the people whose pooled ratio is at or
        above the threshold), ``by_program`` (``program_id``, ``staff``,
        ``person_months``, pooled ``ratio``, ``median_monthly_ratio``,
        ``share_months_at_or_above``, ``people_at_or_above``), ``by_month``
        (``month``, ``staff``, pooled ``ratio``, ``median_monthly_ratio``,
        ``share_months_at_or_above``), ``exit_rate`` (high-burden
        person-months vs the rest, rate ratio with 95% interval),
        ``records`` (= ``by_program``), ``settings`` and ``summary``.

    Raises
    ------
    AnalysisError
        If the bundle has no documentation data.

    Examples
    --------
    >>> from orgraph.analyses.caseload import example_org
    >>> res = documentation_burden(example_org())
    >>> [(p["program_id"], p["ratio"]) for p in res["by_program"]]
    [('A', 0.7333), ('B', 0.5)]
    >>> [p["staff_id"] for p in res["at_or_above"]]
    ['C1']
    """
    thr = float(_setting(org, "docburden", "threshold", threshold))
    if not len(org.data.documentation):
        raise AnalysisError("no documentation data: the bundle has no documentation.csv rows, "
                            "so documentation burden cannot be analysed")
    dr = doc_ratios(org)
    pm = person_months(org)
    if as_of is not None:
        day = pd.Timestamp(as_date(as_of))
        dr = dr[dr["mi"] <= _month_index([day])[0]]
        pm = pm[pm["ref"] <= day]
    rec = dr.merge(pm[["staff_id", "mi", "program_id"]], on=["staff_id", "mi"], how="left")
    rec["program_id"] = rec["program_id"].fillna("(none)")
    sf = org.staff_frame
    # --- by person
    by_person = []
    for sid, grp in rec.groupby("staff_id", sort=True):
        p = _pooled(grp, thr)
        row = sf.loc[sid] if sid in sf.index else None
        by_person.append({
            "staff_id": sid, "name": None if row is None else row["name"],
            "program_id": grp["program_id"].iloc[-1], "months": int(len(grp)),
            "session_hours": p["session_hours"], "documentation_hours": p["documentation_hours"],
            "ratio": p["ratio"], "median_monthly_ratio": p["median_monthly_ratio"],
            "months_at_or_above": int((grp["ratio"] >= thr).sum()),
            "at_or_above": p["ratio"] is not None and p["ratio"] >= thr,
            "exited": bool(row is not None and row["exited"]),
        })
    by_person.sort(key=lambda r: (-(r["ratio"] or 0), r["staff_id"]))
    at_or_above = [r for r in by_person if r["at_or_above"]]
    # --- by program
    by_program = []
    for prog, grp in rec.groupby("program_id", sort=True):
        p = _pooled(grp, thr)
        people = sum(1 for r in at_or_above if r["program_id"] == prog)
        by_program.append({"program_id": prog, "staff": int(grp["staff_id"].nunique()),
                           "person_months": int(len(grp)), "ratio": p["ratio"],
                           "median_monthly_ratio": p["median_monthly_ratio"],
                           "share_months_at_or_above": p["share_months_at_or_above"],
                           "people_at_or_above": people})
    by_program.sort(key=lambda r: (-(r["ratio"] or 0), str(r["program_id"])))
    # --- by month
    by_month = []
    for mi, grp in rec.groupby("mi", sort=True):
        p = _pooled(grp, thr)
        by_month.append({"month": _jsonable(pd.Timestamp(_month_start([mi])[0])), "staff": int(grp["staff_id"].nunique()),
                         "ratio": p["ratio"], "median_monthly_ratio": p["median_monthly_ratio"],
                         "share_months_at_or_above": p["share_months_at_or_above"]})
    # --- exit rate: exposure = ratio in the previous month >= threshold
    prev = dr[["staff_id", "mi", "ratio"]].dropna().copy()
    prev["mi"] = prev["mi"] + 1
    pmx = pm.merge(prev, on=["staff_id", "mi"], how="left")
    flag = (pmx["ratio"] >= thr).where(pmx["ratio"].notna())
    exit_rate = _exposure_rate_ratio(pmx, flag, label_a=f"documentation ratio at or above {thr:g} the month before",
                                     label_b="documentation ratio below it")
    return {
        "by_person": by_person, "at_or_above": at_or_above, "by_program": by_program, "by_month": by_month,
        "exit_rate": exit_rate, "records": by_program, "settings": {"threshold": thr},
        "summary": _summary(by_program, at_or_above, exit_rate, thr),
    }


def _summary(by_program, at_or_above, exit_rate, thr) -> str:
    n = len(at_or_above)
    who = "1 person documents" if n == 1 else f"{n} people document"
    parts = [f"{who} at least {thr:g} hour(s) per hour of session time."]
    if by_program and by_program[0]["ratio"] is not None:
        top = by_program[0]
        parts.append(f"Program {top['program_id']} has the heaviest burden: {top['ratio']:.2f} documentation "
                     f"hours per session hour.")
    rr = exit_rate.get("rate_ratio")
    if rr is not None and exit_rate.get("ci_high") is not None:
        parts.append(f"In months after a high-burden month people left at {rr:.1f} times the usual rate "
                     f"(95% CI {exit_rate['ci_low']:.1f}–{exit_rate['ci_high']:.1f}).")
    return " ".join(parts)
