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

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import NoDataError, analysis_cut, as_of_text
from ..plain import plural
from .caseload import label_codes
from .hazards import month_rows, record_rows
from .persontime import column_codes
from .continuity import distinct_counts
from .coverage import MISSING, uncovered_exits
from .panel import (cached, exposure_rate_ratio, month_index, month_key, month_start, person_months, records,
                    setting_of, staff_codes)

__all__ = ["documentation_burden", "doc_ratios"]


def doc_ratios(org) -> pd.DataFrame:
    """Each documentation record with its ratio.

    Parameters
    ----------
    org : OrgGraph

    Returns
    -------
    DataFrame
        Shared by every analysis of the org (built once): read it, never change it.
        ``staff_id``, ``month``, ``mi`` (months since 1970-01),
        ``session_hours``, ``documentation_hours`` and ``ratio``
        (documentation / session hours; NaN when there were no session hours).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> r = doc_ratios(example_org())
    >>> r.groupby("staff_id")["ratio"].first().to_dict()
    {'C1': 1.2, 'C2': 0.5, 'C3': 0.5, 'C4': 0.5}
    """
    return cached(org, "doc_ratios", lambda: _doc_ratios(org), copy=False)  # read-only


def _doc_ratios(org) -> pd.DataFrame:
    doc = org.data.documentation
    month = pd.to_datetime(doc["month"])
    mi = month_index(month) if len(doc) else np.zeros(0, dtype=np.int64)
    sc = staff_codes(org, doc["staff_id"])
    order = _by_staff_then_month(sc, mi)
    out = {k: _rows(v, order) for k, v in (("staff_id", doc["staff_id"]), ("month", month),
                                           ("session_hours", doc["session_hours"]),
                                           ("documentation_hours", doc["documentation_hours"]))}
    out["mi"], out["sc"] = _rows(mi, order), _rows(sc, order)
    del mi, sc, order
    sess = np.asarray(out["session_hours"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(out["documentation_hours"], dtype=float) / sess
    ratio[~(sess > 0)] = np.nan
    out["ratio"] = ratio
    del sess, ratio
    cols = ["staff_id", "month", "session_hours", "documentation_hours", "mi", "ratio", "sc"]
    return pd.DataFrame({k: out.pop(k) for k in cols}, copy=False)


def _rows(values, order: np.ndarray | None):
    """A copy of a column (Series keep their dtype, with a fresh range index) in ``order`` (``None``: as is)."""
    if isinstance(values, pd.Series):
        out = values.copy() if order is None else values.iloc[order]
        return out.set_axis(pd.RangeIndex(len(out)))
    return np.array(values, copy=True) if order is None else np.asarray(values).take(order)


def _by_staff_then_month(sc: np.ndarray, mi: np.ndarray) -> np.ndarray | None:
    """The stable order of rows by (staff code, month index), or ``None`` when the rows are in it already.

    Examples
    --------
    >>> _by_staff_then_month(np.array([1, 0, 1, 0]), np.array([5, 7, 3, 7])).tolist()
    [1, 3, 2, 0]
    >>> _by_staff_then_month(np.array([0, 0, 1]), np.array([5, 6, 1])) is None
    True
    """
    if len(sc) < 2:
        return None
    step = np.diff(sc)
    if (step >= 0).all() and (np.diff(mi)[step == 0] >= 0).all():
        return None
    return np.lexsort((mi, sc))


def _pooled(codes: np.ndarray, labels, name: str, staff: np.ndarray, hours: pd.DataFrame,
            threshold: float) -> pd.DataFrame:
    """Pooled ratios per group (``codes`` index ``labels``, sorted): hours summed, median of monthly ratios,
    share of months at or above. Grouped on integer codes; the sums are pandas' (compensated) group sums."""
    ratio = hours["ratio"].to_numpy()
    out = hours.groupby(codes, sort=True).agg(session_hours=("session_hours", "sum"),
                                              documentation_hours=("documentation_hours", "sum"),
                                              median_monthly_ratio=("ratio", "median"))
    # months at or above and the share of months with a ratio that are: whole counts, so bincounts give
    # exactly what pandas' sum and mean of 0/1 flags give
    codes = np.asarray(codes, dtype=np.int64)
    at = out.index.to_numpy()
    low = min(int(codes.min()), 0) if len(codes) else 0          # a missing id's code -1 is a group too
    above = np.bincount(codes - low, weights=ratio >= threshold)[at - low]
    known = np.bincount(codes - low, weights=~np.isnan(ratio))[at - low]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_months_at_or_above"] = above / known
    out["months_at_or_above"] = above.astype(np.int64)
    out.index = pd.Index(np.asarray(labels)[at], name=name)
    out.insert(0, "person_months", np.bincount(codes, minlength=len(labels)))
    out.insert(0, "staff", distinct_counts(codes, staff, len(labels)))
    out["ratio"] = (out["documentation_hours"] / out["session_hours"]).where(out["session_hours"] > 0)
    for c in ("ratio", "median_monthly_ratio", "share_months_at_or_above"):
        out[c] = out[c].round(4)
    for c in ("session_hours", "documentation_hours"):
        out[c] = out[c].round(2)
    return out


def _staff_rank_codes(org, sc: np.ndarray, staff_id: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_sorted_codes` of the ``staff_id`` column, worked out from its staff codes ``sc`` (rows of
    ``org.staff_frame``): only the distinct staff ids are sorted. Falls back to factorizing the ids when some
    id is not in the staff frame.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> ids = pd.Series(["C3", "C1", "C3"])
    >>> codes, labels = _staff_rank_codes(org, staff_codes(org, ids), ids)
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1], ['C1', 'C3'])
    """
    sc = np.asarray(sc, dtype=np.int64)
    if not len(sc) or sc.min() < 0:
        return _sorted_codes(staff_id.to_numpy(dtype=object))
    used = np.unique(sc)
    ids = np.asarray(org.staff_frame.index[used], dtype=object)
    order = np.argsort(ids, kind="stable")
    rank = np.empty(len(used), dtype=np.int64)
    rank[order] = np.arange(len(used))
    return rank[np.searchsorted(used, sc)], ids[order]


def _sorted_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` numbered in sorted order of the values, and the sorted values."""
    codes, labels = pd.factorize(np.asarray(values), sort=True)
    return codes, np.asarray(labels)


def documentation_burden(org, *, threshold=None, as_of=None) -> Result:
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
    Result
        ``table``: ``by_program``. ``extras``: ``by_person`` (``staff_id``, ``name``, ``program_id``, ``months``,
        ``session_hours``, ``documentation_hours``, ``ratio``,
        ``median_monthly_ratio``, ``months_at_or_above``, ``at_or_above``,
        ``exited``), ``at_or_above`` (the people whose pooled ratio is at or
        above the threshold), ``by_program`` (``program_id``, ``staff``,
        ``person_months``, pooled ``ratio``, ``median_monthly_ratio``,
        ``share_months_at_or_above``, ``people_at_or_above``), ``by_month``
        (``month``, ``staff``, pooled ``ratio``, ``median_monthly_ratio``,
        ``share_months_at_or_above``), ``exit_rate`` (high-burden
        person-months vs the rest, rate ratio with 95% interval).

    Raises
    ------
    AnalysisError
        If the bundle has no documentation data, or ``as_of`` is outside the
        data (:class:`~orgraph.settings.NoDataError` when no documentation
        month comes on or before it).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = documentation_burden(example_org())
    >>> [(p["program_id"], p["ratio"]) for p in res.table]
    [('A', 0.7333), ('B', 0.5)]
    >>> [p["staff_id"] for p in res.extras["at_or_above"]]
    ['C1']
    """
    thr = float(setting_of(org, "docburden", "threshold", threshold))
    if not len(org.data.documentation):
        raise AnalysisError(MISSING["documentation"])
    cut = analysis_cut(org, as_of)
    dr = doc_ratios(org)
    pm = person_months(org)
    if as_of is not None:
        day = cut - pd.Timedelta(days=1)
        dr = dr[dr["mi"] <= month_index([day])[0]]
        pm = pm[pm["ref"] <= day]
    if not len(dr):
        raise NoDataError(f"documentation.csv has no month on or before {as_of_text(cut)}: documentation burden "
                          "cannot be analysed for that date")
    # integer codes: staff (numbered in staff id order), program (of the person-month), month
    sc, mi = dr["sc"].to_numpy(), dr["mi"].to_numpy()
    staff_codes_, staff_ids = _staff_rank_codes(org, sc, dr["staff_id"])
    at = record_rows(sc, mi, pm["sc"].to_numpy(), pm["mi"].to_numpy())   # the person-months are never sorted
    programs, prog = label_codes(None, at, factorized=column_codes(pm, "program_id"))
    hours = dr[["session_hours", "documentation_hours", "ratio"]]
    sf = org.staff_frame
    # --- by person
    pp = _pooled(staff_codes_, staff_ids, "staff_id", staff_codes_, hours, thr)
    last = np.full(len(staff_ids), -1, dtype=np.int64)
    np.maximum.at(last, staff_codes_, np.arange(len(staff_codes_)))
    pp["name"] = pp.index.map(sf["name"])
    pp["program_id"] = programs[prog[last]]
    pp["exited"] = pp.index.map(sf["exited"]).fillna(False).astype(bool)
    pp["at_or_above"] = pp["ratio"].fillna(-1.0) >= thr
    pp = pp.reset_index().rename(columns={"person_months": "months"})
    pp["_r"] = pp["ratio"].fillna(0.0)
    pp = pp.sort_values(["_r", "staff_id"], ascending=[False, True], kind="stable")
    by_person = records(pp[["staff_id", "name", "program_id", "months", "session_hours", "documentation_hours",
                             "ratio", "median_monthly_ratio", "months_at_or_above", "at_or_above", "exited"]])
    at_or_above = [r for r in by_person if r["at_or_above"]]
    # --- by program
    bp = _pooled(prog, programs, "program_id", staff_codes_, hours, thr)
    bp["people_at_or_above"] = pp[pp["at_or_above"]].groupby("program_id").size().reindex(bp.index).fillna(0)
    bp = bp.reset_index()
    bp["_r"] = bp["ratio"].fillna(0.0)
    bp = bp.sort_values(["_r", "program_id"], ascending=[False, True], kind="stable")
    by_program = records(bp[["program_id", "staff", "person_months", "ratio", "median_monthly_ratio",
                              "share_months_at_or_above", "people_at_or_above"]])
    for r in by_program:
        r["people_at_or_above"] = int(r["people_at_or_above"])
    # --- by month
    month_codes, months = _sorted_codes(mi)
    bm = _pooled(month_codes, months, "mi", staff_codes_, hours, thr).reset_index()
    bm["month"] = pd.to_datetime(month_start(bm["mi"].to_numpy()))
    by_month = records(bm[["month", "staff", "ratio", "median_monthly_ratio", "share_months_at_or_above"]])
    # --- exit rate: exposure = ratio in the previous month >= threshold
    known = np.flatnonzero(dr["ratio"].notna().to_numpy())
    prev = month_key(sc[known], mi[known] + 1)
    if len(prev) > 1 and not (prev[1:] > prev[:-1]).all():      # one record per person-month: keep the first
        known = known[~pd.Index(prev).duplicated(keep="first")]
    hit = month_rows(pm["sc"], pm["mi"], sc[known], mi[known] + 1)
    ratio = dr["ratio"].to_numpy()[known]
    flag = pd.Series(np.where(hit >= 0, ratio[np.maximum(hit, 0)] >= thr if len(ratio) else False, np.nan))
    exit_rate = exposure_rate_ratio(pm, flag, label_a=f"documentation ratio at or above {thr:g} the month before",
                                     label_b="documentation ratio below it")
    gap = uncovered_exits(org, "documentation", cut, what="documentation burden", lag_months=1)
    return Result("docburden", as_of_text(cut), {"threshold": thr}, by_program,
                  _summary(by_program, at_or_above, exit_rate, thr),
                  {"by_person": by_person, "at_or_above": at_or_above, "by_program": by_program, "by_month": by_month,
                   "exit_rate": exit_rate}, [gap] if gap else [])


def _summary(by_program, at_or_above, exit_rate, thr) -> str:
    n = len(at_or_above)
    who = "1 person documents" if n == 1 else f"{n} people document"
    parts = [f"{who} at least {plural(thr, 'hour')} per hour of session time."]
    if by_program and by_program[0]["ratio"] is not None:
        top = by_program[0]
        parts.append(f"Program {top['program_id']} has the heaviest burden: {top['ratio']:.2f} documentation "
                     f"hours per session hour.")
    rr = exit_rate.get("rate_ratio")
    if rr is not None and exit_rate.get("ci_high") is not None:
        parts.append(f"In months after a high-burden month people left at {rr:.1f} times the usual rate "
                     f"(95% CI {exit_rate['ci_low']:.1f}–{exit_rate['ci_high']:.1f}).")
    return " ".join(parts)
