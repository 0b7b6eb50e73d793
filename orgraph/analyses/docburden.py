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
                    rows_where, setting_of, staff_codes)

__all__ = ["documentation_burden", "doc_ratios"]


def doc_ratios(org) -> pd.DataFrame:
    """Each documentation record with its ratio, in (staff, month) order.

    Parameters
    ----------
    org : OrgGraph

    Returns
    -------
    DataFrame
        Shared by every analysis of the org (built once): read it, never change it.
        ``staff_id`` (categorical: its categories are the distinct ids, sorted), ``sc`` (the staff code,
        :func:`~orgraph.analyses.panel.staff_codes`; ``int32``), ``mi`` (months since 1970-01; ``int32``),
        ``session_hours``, ``documentation_hours`` and ``ratio`` (documentation / session hours; NaN when there
        were no session hours).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> r = doc_ratios(example_org())
    >>> r.groupby("staff_id", observed=True)["ratio"].first().to_dict()
    {'C1': 1.2, 'C2': 0.5, 'C3': 0.5, 'C4': 0.5}
    """
    return cached(org, "doc_ratios", lambda: _doc_ratios(org), copy=False)  # read-only


def _doc_ratios(org) -> pd.DataFrame:
    doc = org.data.documentation
    mi = _months(doc["month"])
    sc = staff_codes(org, doc["staff_id"])
    order = _by_staff_then_month(sc, mi)
    rank, ids = _staff_rank_codes(org, sc, doc["staff_id"])
    out = {"staff_id": pd.Categorical.from_codes(_rows(rank, order), categories=pd.Index(ids, dtype=object)),
           "sc": _rows(_narrow(sc), order, share=True), "mi": _rows(_narrow(mi), order, share=True)}
    del rank, sc, mi
    for k in ("session_hours", "documentation_hours"):      # the hours as loaded (no copy when in order)
        out[k] = _rows(doc[k].to_numpy(), order, share=True)
    del order
    sess = np.asarray(out["session_hours"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(out["documentation_hours"], dtype=float) / sess
    ratio[~(sess > 0)] = np.nan
    out["ratio"] = ratio
    return pd.DataFrame(out, copy=False)


def _rows(values: np.ndarray, order: np.ndarray | None, *, share: bool = False) -> np.ndarray:
    """``values`` in ``order`` (``None``: as they are: the array itself when ``share``, else a copy)."""
    values = np.asarray(values)
    if order is not None:
        return values.take(order)
    return values if share else values.copy()


def _months(month: pd.Series) -> np.ndarray:
    """:func:`~orgraph.analyses.panel.month_index` of a month column, straight off its values when they are
    datetime64 already (no conversion of the column first).

    Examples
    --------
    >>> _months(pd.Series(pd.to_datetime(["2024-03-01", None]))).tolist() == month_index(
    ...     pd.Series(pd.to_datetime(["2024-03-01", None]))).tolist()
    True
    """
    if not len(month):
        return np.zeros(0, dtype=np.int64)
    if isinstance(month.dtype, np.dtype) and month.dtype.kind == "M":
        return month.to_numpy().astype("datetime64[M]").astype(np.int64)
    return month_index(month)


def _narrow(values: np.ndarray) -> np.ndarray:
    """Integer ``values`` as ``int32`` when they all fit (a new array), else as they are.

    Examples
    --------
    >>> _narrow(np.array([-1, 650])).dtype.name, _narrow(np.array([0, 2**40])).dtype.name
    ('int32', 'int64')
    """
    info = np.iinfo(np.int32)
    if not len(values) or (info.min <= values.min() and values.max() <= info.max):
        return values.astype(np.int32)
    return values


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
    g = hours.groupby(codes, sort=True)             # one grouper for the sums and the median
    out = g[["session_hours", "documentation_hours"]].sum()
    out["median_monthly_ratio"] = g["ratio"].median()
    del g
    # months at or above and the share of months with a ratio that are: whole counts, so bincounts give
    # exactly what pandas' sum and mean of 0/1 flags give
    codes = np.asarray(codes, dtype=np.int64)
    at = out.index.to_numpy()
    low = min(int(codes.min()), 0) if len(codes) else 0          # a missing id's code -1 is a group too
    n = int(at.max()) - low + 1 if len(at) else 0
    above = np.bincount(codes[ratio >= threshold] - low, minlength=n)[at - low]
    known = np.bincount(codes[~np.isnan(ratio)] - low, minlength=n)[at - low]
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
    ``org.staff_frame``): only the distinct staff ids are sorted, and each row's code is read off a table as
    long as the staff frame. Falls back to factorizing the ids when some id is not in the staff frame.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> ids = pd.Series(["C3", "C1", "C3"])
    >>> codes, labels = _staff_rank_codes(org, staff_codes(org, ids), ids)
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1], ['C1', 'C3'])
    """
    sc = np.asarray(sc)
    if not len(sc) or sc.min() < 0:
        return _sorted_codes(staff_id.to_numpy(dtype=object))
    used = np.flatnonzero(np.bincount(sc, minlength=len(org.staff_frame)))
    ids = np.asarray(org.staff_frame.index[used], dtype=object)
    order = np.argsort(ids, kind="stable")
    rank = np.full(len(org.staff_frame), -1, dtype=np.int32)
    rank[used[order]] = np.arange(len(used), dtype=np.int32)
    return rank[sc], ids[order]


def _sorted_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` numbered in sorted order of the values, and the sorted values.

    Examples
    --------
    >>> codes, labels = _sorted_codes(np.array([652, 650, 652, 651]))
    >>> codes.tolist(), labels.tolist()
    ([2, 0, 2, 1], [650, 651, 652])
    """
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values):
        low = int(values.min())
        span = int(values.max()) - low + 1
        if span <= 2 * len(values) + 1024:          # a dense range (months): count instead of hashing
            used = np.flatnonzero(np.bincount(values - low, minlength=span))
            remap = np.full(span, -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            return remap[values - low], (used + low).astype(values.dtype)
    codes, labels = pd.factorize(values, sort=True)
    return codes, np.asarray(labels)


def _present(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` and ``labels`` without the labels no code points at (codes renumbered, -1 kept), so they are
    what :func:`_sorted_codes` gives for the rows left after a filter.

    Examples
    --------
    >>> codes, labels = _present(np.array([3, 1, 3, -1]), np.array(["a", "b", "c", "d"]))
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1, -1], ['b', 'd'])
    """
    codes = np.asarray(codes)
    counts = np.bincount(codes[codes >= 0], minlength=len(labels))
    if counts.all():
        return codes, np.asarray(labels)
    used = np.flatnonzero(counts)
    remap = np.full(len(labels) + 1, -1, dtype=np.int64)          # the extra slot keeps -1 as -1
    remap[used] = np.arange(len(used))
    return remap[codes], np.asarray(labels)[used]


def _pm_rows(sc: np.ndarray, mi: np.ndarray, pm_sc: np.ndarray, pm_mi: np.ndarray,
             steps=(0,)) -> list[np.ndarray] | None:
    """For each step: the row of the person-month (``pm_sc``, ``pm_mi``) of month ``mi + step`` of each staff
    code ``sc``, -1 where there is none; ``None`` when another lookup should do it (the person-months repeat a
    pair, or a staff x month table over the records' span would be much larger than the data).

    One table of person-month rows over the records' staff codes and months (the steps included), filled in
    one pass over the person-months (in (month, staff) order they fill it nearly in order): no sort, no hash.

    Examples
    --------
    >>> _pm_rows(np.array([0, 2, 2, 5]), np.array([600, 601, 603, 600]), np.array([2, 0, 2]),
    ...          np.array([601, 600, 602]), steps=(0, 1))
    [array([ 1,  0, -1, -1], dtype=int32), array([-1,  2, -1, -1], dtype=int32)]
    >>> _pm_rows(np.array([0]), np.array([600]), np.array([0, 0]), np.array([600, 600])) is None
    True
    """
    n = len(sc)
    ok = sc >= 0
    if not n or not ok.any() or not len(pm_sc):
        return [np.full(n, -1, dtype=np.int32) for _ in steps]
    s_lo, s_hi = int(sc[ok].min()), int(sc.max())
    m_lo, m_hi = int(mi.min()) + min(steps), int(mi.max()) + max(steps)
    ns, nm = s_hi - s_lo + 1, m_hi - m_lo + 1
    cells = ns * nm
    if cells > 4 * (n + len(pm_sc)) + 1_000_000:
        return None
    # month-major cells: the person-months (by month, then staff) fill the table nearly in order
    out_of_span = (pm_mi < m_lo) | (pm_mi > m_hi) | (pm_sc < s_lo) | (pm_sc > s_hi)
    cell = (pm_mi.astype(np.int64) - m_lo) * ns + (pm_sc - s_lo)
    cell[out_of_span] = cells                                      # one spare cell for the rest
    table = np.full(cells + 1, -1, dtype=np.int32 if len(pm_sc) < 2 ** 31 else np.int64)
    rows = np.arange(len(pm_sc), dtype=table.dtype)
    table[cell] = rows
    if not ((table[cell] == rows) | out_of_span).all():          # a repeated pair: one cell, two rows
        return None
    del cell, rows, out_of_span
    table[cells] = -1
    cell = (mi.astype(np.int64) - m_lo) * ns + (sc - s_lo)
    unknown = np.flatnonzero(~ok)
    cell[unknown] = -min(steps) * ns                              # a cell in the table at every step
    out = []
    for step in steps:
        row = table[cell + step * ns] if step else table[cell]
        row[unknown] = -1
        out.append(row)
    return out


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
        dr = rows_where(dr, dr["mi"].to_numpy() <= month_index([day])[0])
        pm = rows_where(pm, pm["ref"] <= day)
    if not len(dr):
        raise NoDataError(f"documentation.csv has no month on or before {as_of_text(cut)}: documentation burden "
                          "cannot be analysed for that date")
    # integer codes: staff (numbered in staff id order), program (of the person-month), month
    sc, mi = dr["sc"].to_numpy(), dr["mi"].to_numpy()
    ids = dr["staff_id"].array
    staff_codes_, staff_ids = _present(ids.codes, ids.categories.to_numpy(dtype=object))
    pm_sc, pm_mi = pm["sc"].to_numpy(), pm["mi"].to_numpy()
    rows = _pm_rows(sc, mi, pm_sc, pm_mi, steps=(0, 1))   # each record's person-month and the one after
    at, after = rows if rows is not None else (record_rows(sc, mi, pm_sc, pm_mi), None)
    del rows
    programs, prog = label_codes(None, at, factorized=column_codes(pm, "program_id"))
    del at
    hours = pd.DataFrame({k: dr[k].to_numpy() for k in ("session_hours", "documentation_hours", "ratio")},
                         copy=False)
    sf = org.staff_frame
    # --- by person
    # distinct staff are counted on the staff codes: the rows come in their order (no sort of pair keys)
    who = sc if not len(sc) or sc.min() >= 0 else staff_codes_
    pp = _pooled(staff_codes_, staff_ids, "staff_id", who, hours, thr)
    last = np.full(len(staff_ids), -1, dtype=np.int64)
    np.maximum.at(last, staff_codes_, np.arange(len(staff_codes_)))
    pp["name"] = pp.index.map(sf["name"])
    pp["program_id"] = programs[prog[last]]
    pp["exited"] = pp.index.map(sf["exited"]).fillna(False).astype(bool)
    pp["at_or_above"] = pp["ratio"].fillna(-1.0) >= thr
    pp = pp.reset_index().rename(columns={"person_months": "months"})
    pp = _by_ratio(pp, "staff_id")
    by_person = records(pp[["staff_id", "name", "program_id", "months", "session_hours", "documentation_hours",
                             "ratio", "median_monthly_ratio", "months_at_or_above", "at_or_above", "exited"]])
    at_or_above = [r for r in by_person if r["at_or_above"]]
    # --- by program
    bp = _pooled(prog, programs, "program_id", who, hours, thr)
    bp["people_at_or_above"] = pp[pp["at_or_above"]].groupby("program_id").size().reindex(bp.index).fillna(0)
    bp = _by_ratio(bp.reset_index(), "program_id")
    by_program = records(bp[["program_id", "staff", "person_months", "ratio", "median_monthly_ratio",
                              "share_months_at_or_above", "people_at_or_above"]])
    for r in by_program:
        r["people_at_or_above"] = int(r["people_at_or_above"])
    del prog
    # --- by month
    month_codes, months = _sorted_codes(mi)
    bm = _pooled(month_codes, months, "mi", who, hours, thr).reset_index()
    del month_codes, hours
    bm["month"] = pd.to_datetime(month_start(bm["mi"].to_numpy()))
    by_month = records(bm[["month", "staff", "ratio", "median_monthly_ratio", "share_months_at_or_above"]])
    # --- exit rate: exposure = ratio in the previous month >= threshold
    exit_rate = exposure_rate_ratio(pm, _previous_month_flags(dr, pm, thr, after),
                                    label_a=f"documentation ratio at or above {thr:g} the month before",
                                    label_b="documentation ratio below it")
    gap = uncovered_exits(org, "documentation", cut, what="documentation burden", lag_months=1)
    return Result("docburden", as_of_text(cut), {"threshold": thr}, by_program,
                  _summary(by_program, at_or_above, exit_rate, thr),
                  {"by_person": by_person, "at_or_above": at_or_above, "by_program": by_program, "by_month": by_month,
                   "exit_rate": exit_rate}, [gap] if gap else [])


def _by_ratio(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """``df`` by pooled ``ratio``, highest first (no ratio as 0), then by ``key``: one stable sort on the ratio
    when the rows are in ``key`` order already (as grouped), else a sort on both.

    Examples
    --------
    >>> df = pd.DataFrame({"k": ["a", "b", "c", "d"], "ratio": [0.5, None, 0.9, 0.5]})
    >>> _by_ratio(df, "k")["k"].tolist()
    ['c', 'a', 'd', 'b']
    """
    r = df["ratio"].fillna(0.0).to_numpy()
    keys = df[key]
    if keys.is_unique and keys.is_monotonic_increasing:
        return df.take(np.argsort(-r, kind="stable"))
    return df.assign(_r=r).sort_values(["_r", key], ascending=[False, True], kind="stable").drop(columns="_r")


def _previous_month_flags(dr: pd.DataFrame, pm: pd.DataFrame, thr: float,
                          after: np.ndarray | None = None) -> pd.Series:
    """For each person-month of ``pm``: whether the person's documentation ratio in the month before was at or
    above ``thr`` (1.0 or 0.0), NaN without a ratio that month (the first record of a repeated month counts).
    ``after``: the row of ``pm`` of the month after each record of ``dr``, -1 where none (:func:`_pm_rows`);
    ``None``: looked up here.

    Examples
    --------
    >>> dr = pd.DataFrame({"sc": [0, 0, 1], "mi": [600, 601, 600], "ratio": [1.5, 0.5, np.nan]})
    >>> pm = pd.DataFrame({"sc": [0, 1, 0, 1], "mi": [601, 601, 602, 602]})
    >>> _previous_month_flags(dr, pm, 1.0).tolist()
    [1.0, nan, 0.0, nan]
    >>> _previous_month_flags(dr, pm, 1.0, after=np.array([0, 2, 1])).tolist()
    [1.0, nan, 0.0, nan]
    """
    ratio = dr["ratio"].to_numpy()
    known = np.flatnonzero(~np.isnan(ratio))
    sc, mi = dr["sc"].to_numpy()[known], dr["mi"].to_numpy()[known]
    key = month_key(sc, mi)
    if len(key) > 1 and not (key[1:] > key[:-1]).all():          # one record per person-month: keep the first
        first = ~pd.Index(key).duplicated(keep="first")
        known, sc, mi = known[first], sc[first], mi[first]
    del key
    flag = np.full(len(pm), np.nan)
    if after is None:
        hit = month_rows(pm["sc"].to_numpy(), pm["mi"].to_numpy(), sc, mi + 1)
        at = np.flatnonzero(hit >= 0)
        flag[at] = ratio[known[hit[at]]] >= thr
    else:
        row = after[known]
        ok = np.flatnonzero(row >= 0)
        flag[row[ok]] = ratio[known[ok]] >= thr
    return pd.Series(flag, copy=False)


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
