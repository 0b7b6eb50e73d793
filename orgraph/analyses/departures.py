"""What departures have in common: factors over-represented among leavers.

The unit is the person-month. For each month a person was employed the
analysis records the circumstances on the first day at risk (supervisor,
program, seat, tenure, whether a supervisor of theirs had recently left) and in
the month before (caseload band, documentation band), and whether the person
left that month. For every level of every factor it compares the exit rate of
person-months at that level with all other person-months in the period: a
person-time rate ratio with a 95% interval (:func:`orgraph.stats.rate_ratio`),
a two-sided p-value and a Benjamini–Hochberg adjustment over all levels tested.

Levels describing fewer than ``[privacy] min_cell`` people are suppressed
(counted in ``suppressed`` but not shown): a table must not single anyone out.

:func:`monthly_factors` builds the person-month factor table; the risk list
(:mod:`orgraph.analyses.risk`) uses it too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..graph import as_date
from ..result import Result
from ..settings import analysis_cut
from ..stats import bh_adjust
from ..plain import plural
from .coverage import MISSING
from .panel import (DAYS_PER_YEAR, _ns, attach_context, cached, caseload_runs, month_index, month_key,
                    person_months, rate_records, rounded, setting_of, staff_codes, take)
from .docburden import doc_ratios

__all__ = ["departure_factors", "monthly_factors", "factor_context", "FACTORS", "TENURE_BANDS"]

#: Factors compared, in report order, with a phrase for sentences.
FACTORS = {
    "supervisor_recently_left": "people whose supervisor had left in the previous {days} days",
    "caseload_band": "people whose caseload the month before was {level}",
    "documentation_band": "people whose documentation ratio the month before was {level}",
    "tenure_band": "people with {level} of tenure",
    "program": "people in program {level}",
    "supervisor": "people supervised by {level}",
    "seat": "holders of seat {level}",
}

#: Tenure bands: (upper bound in days, label).
TENURE_BANDS = [(183, "under 6 months"), (365, "6-12 months"), (730, "1-2 years"), (1826, "2-5 years"),
                (None, "5+ years")]


def _num(x: float) -> str:
    s = f"{x:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def factor_context(org, rows: pd.DataFrame, *, lookback_days=None, churn_window_months=None) -> pd.DataFrame:
    """Add the circumstances of each (person, day) row.

    Parameters
    ----------
    org : OrgGraph
    rows : DataFrame
        ``staff_id``, ``ref`` (Timestamp: the day described) and ``prev_mi``
        (months since 1970-01 of the last complete month before ``ref``).
    lookback_days : int, optional
        A leaving supervisor counts for the people they supervised in these
        days before leaving; default ``[cascades] lookback_days`` (30).
    churn_window_months : int, optional
        Window for seat departures; default ``[churn] window_months`` (24).

    Returns
    -------
    DataFrame
        ``rows`` with ``position_id``, ``program_id``, ``role_kind``,
        ``supervisor_id``, ``tenure_days``, ``caseload`` / ``caseload_band`` /
        ``caseload_run`` (month ``prev_mi``; run = consecutive months above the
        percentile cut-off ending then), ``doc_ratio`` / ``documentation_band``,
        ``sup_left_days`` (days since a supervisor of theirs left; NaN if
        never), ``seat_departures`` (holders who left the seat in the
        ``churn_window_months`` before ``ref``), ``sup_span`` (people whose
        supervisor on ``ref`` is this row's supervisor, among ``rows`` of the
        same ``prev_mi``), ``sup_caseload`` (their summed caseloads) and ``sup_sc``
        (the supervisor's integer code, :func:`~orgraph.analyses.persontime.staff_codes`; -1 for none).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> rows = pd.DataFrame({"staff_id": ["C1", "C2"], "ref": pd.to_datetime(["2022-05-01"] * 2), "prev_mi": 627})
    >>> f = factor_context(org, rows)
    >>> f[["staff_id", "caseload_band", "caseload_run", "sup_left_days", "documentation_band"]].values.tolist()
    [['C1', 'above 90th percentile', 4.0, 46, '1.0 or more'], ['C2', 'at or below median', 0.0, 46, '0.5-0.75']]
    """
    return _factor_context(org, rows.copy(), lookback_days, churn_window_months)


def _factor_context(org, df: pd.DataFrame, lookback_days=None, churn_window_months=None) -> pd.DataFrame:
    """:func:`factor_context` on ``df``, which it changes (the caller's own frame)."""
    look = int(setting_of(org, "cascades", "lookback_days", lookback_days))
    win = int(setting_of(org, "churn", "window_months", churn_window_months))
    thr = float(setting_of(org, "docburden", "threshold"))
    df["ref"] = _ns(df["ref"])
    if "position_id" not in df.columns:
        df = attach_context(org, df)
    sf = org.staff_frame
    sc = df["sc"].to_numpy()
    df["tenure_days"] = ((df["ref"].to_numpy() - sf["hire"].to_numpy()[sc]) / np.timedelta64(1, "D")).astype(np.int64)
    row_key = month_key(sc, df["prev_mi"].to_numpy())
    # --- caseload of the previous month, banded against that month's percentiles
    cl = _caseload_bands(org)
    if cl is not None:
        rk, active, band, run = cl
        df["caseload"] = take(row_key, rk, active)
        df["caseload_band"] = take(row_key, rk, band, "no caseload record")
        df["caseload_run"] = take(row_key, rk, run)
    else:
        df["caseload"] = np.nan
        df["caseload_band"] = np.full(len(df), "no caseload record", dtype=object)
        df["caseload_run"] = np.nan
    # --- documentation ratio of the previous month
    dk = _doc_lookup(org)
    df["doc_ratio"] = take(row_key, *dk) if dk is not None else np.nan
    x = df["doc_ratio"]
    labels = np.array(["no documentation record", f"{_num(thr)} or more", f"{_num(0.75 * thr)}-{_num(thr)}",
                       f"{_num(0.5 * thr)}-{_num(0.75 * thr)}", f"under {_num(0.5 * thr)}"], dtype=object)
    df["documentation_band"] = labels[np.select([x.isna(), x >= thr, x >= 0.75 * thr, x >= 0.5 * thr],
                                                [0, 1, 2, 3], 4)]
    # --- days since a supervisor of theirs left
    sv = org.supervision_frame
    df["sup_left_days"] = np.nan
    if len(sv):
        left = sf[sf["exited"]]
        ev = sv.merge(left[["exit"]], left_on="supervisor_id", right_index=True)
        ev = ev[(ev["start"] <= ev["exit"]) & (ev["end"] > ev["exit"] - pd.Timedelta(days=look))]
        if len(ev):
            ev = pd.DataFrame({"sc": staff_codes(org, ev["staff_id"]), "gone": _ns(ev["exit"] + pd.Timedelta(days=1))})
            ev = ev.sort_values("gone")
            order = np.argsort(df["ref"].to_numpy(), kind="stable")   # a narrow frame through merge_asof
            left = pd.DataFrame({"ref": df["ref"].to_numpy()[order], "sc": df["sc"].to_numpy()[order]})
            m = pd.merge_asof(left, ev, left_on="ref", right_on="gone", by="sc", direction="backward")
            gone = np.empty(len(df), dtype="datetime64[ns]")
            gone[order] = m["gone"].to_numpy()
            df["sup_left_days"] = (df["ref"] - gone).dt.days
    # --- holders who left the seat in the churn window before ref
    af = org.assignment_frame
    closed = af[~af["open"]]
    df["seat_departures"] = 0
    if len(closed) and df["position_id"].notna().any():
        codes, uniq = pd.factorize(pd.concat([closed["position_id"], df["position_id"].fillna("")]), sort=False)
        c_ev, c_row = codes[:len(closed)], codes[len(closed):]
        base = np.datetime64("1900-01-01", "D")
        ev_day = (closed["end"].to_numpy().astype("datetime64[D]") - base).astype(np.int64)
        span = 1 << 20
        keys = np.sort(c_ev.astype(np.int64) * span + ev_day)
        ref_day = (df["ref"].to_numpy().astype("datetime64[D]") - base).astype(np.int64)
        inv, uniq_ref = pd.factorize(df["ref"])
        lo_u = (pd.DatetimeIndex(uniq_ref) - pd.DateOffset(months=win)).to_numpy().astype("datetime64[D]")
        lo_day = (lo_u - base).astype(np.int64)[inv]
        hi = np.searchsorted(keys, c_row.astype(np.int64) * span + ref_day, side="right")
        lo = np.searchsorted(keys, c_row.astype(np.int64) * span + lo_day, side="right")
        df["seat_departures"] = np.where(df["position_id"].notna(), hi - lo, 0)
    # --- the supervisor's span and supervisee caseload among these rows
    sup_c = staff_codes(org, df["supervisor_id"].fillna(""))
    df["sup_sc"] = sup_c
    sup_key = month_key(sup_c, df["prev_mi"].to_numpy())
    has = sup_c >= 0
    g = pd.DataFrame({"k": sup_key[has], "sc": df["sc"].to_numpy()[has],
                      "cl": df["caseload"].to_numpy()[has]}).groupby("k")
    agg = g.agg(sup_span=("sc", "nunique"), sup_caseload=("cl", "sum"))
    df["sup_span"] = np.where(has, take(sup_key, agg.index.to_numpy(), agg["sup_span"].to_numpy(), 0), 0)
    df["sup_caseload"] = np.where(has, take(sup_key, agg.index.to_numpy(), agg["sup_caseload"].to_numpy(), 0.0), 0.0)
    df["sup_span"] = df["sup_span"].astype(int)
    labels = np.array([label for _, label in TENURE_BANDS], dtype=object)   # one string object per band
    uppers = np.array([upper for upper, _ in TENURE_BANDS[:-1]])
    df["tenure_band"] = labels[np.searchsorted(uppers, df["tenure_days"].to_numpy(), side="right")]
    ref, sc = df["ref"].to_numpy(), df["sc"].to_numpy()
    if len(df) > 1 and ((ref[1:] > ref[:-1]) | ((ref[1:] == ref[:-1]) & (sc[1:] >= sc[:-1]))).all():
        df.index = pd.RangeIndex(len(df))                      # already in order: no copy of the frame
        return df
    return df.sort_values(["ref", "sc"], kind="stable").reset_index(drop=True)


def _caseload_bands(org):
    """``(key, caseload, band, run)`` of every caseload record (key: :func:`month_key` of person and month),
    banded against its month's percentiles; built once per org and percentile, ``None`` without caseloads."""
    pct = float(setting_of(org, "caseload", "percentile"))

    def build():
        runs = caseload_runs(org)
        if not len(runs):
            return None
        q = runs.groupby("mi")["active_clients"].quantile([0.5, 0.75]).unstack()
        r = runs.merge(q, left_on="mi", right_index=True)
        labels = np.array(["above 90th percentile" if pct == 90 else f"above {pct:g}th percentile",
                           "75th-90th percentile", "50th-75th percentile", "at or below median"], dtype=object)
        band = labels[np.select([r["above"], r["active_clients"] > r[0.75], r["active_clients"] > r[0.5]],
                                [0, 1, 2], 3)]          # one string object per label, shared by the rows
        return month_key(r["sc"], r["mi"]), r["active_clients"].to_numpy(), band, r["run"].to_numpy()

    return cached(org, f"caseload_bands:{pct}", build, copy=False)


def _doc_lookup(org):
    """``(key, ratio)`` of every documentation month with a ratio; built once per org, ``None`` without any."""
    def build():
        dr = doc_ratios(org)
        if not len(dr):
            return None
        d = dr[dr["ratio"].notna()].drop_duplicates(["sc", "mi"])
        return month_key(d["sc"], d["mi"]), d["ratio"].to_numpy()

    return cached(org, "doc_lookup", build, copy=False)


def monthly_factors(org, **kwargs) -> pd.DataFrame:
    """Person-months (:func:`~orgraph.analyses.caseload.person_months`) with :func:`factor_context`.

    The month before each person-month is its ``prev_mi``, so caseload and
    documentation describe the month *before* the one in which an exit may happen.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> f = monthly_factors(example_org())
    >>> f[(f.staff_id == "C1") & (f.exit)][["caseload_run", "sup_left_days"]].values.tolist()
    [[4.0, 46.0]]
    """
    def build():
        pm = person_months(org)
        pm = pm.assign(prev_mi=pm["mi"] - 1)          # the build's own frame: factor_context need not copy it
        return _factor_context(org, pm, **kwargs)

    return cached(org, "monthly_factors:" + repr(sorted(kwargs.items())), build, copy=False)  # read-only


#: The table a factor is measured from: without it every person is "no record" and the factor says nothing.
_NEEDS = {"caseload_band": "caseload", "documentation_band": "documentation"}


def _levels(f: pd.DataFrame, recent: int) -> dict[str, pd.Series]:
    return {
        "supervisor_recently_left": pd.Series(np.where(f["sup_left_days"] < recent, "yes", "no"), index=f.index),
        "caseload_band": f["caseload_band"],
        "documentation_band": f["documentation_band"],
        "tenure_band": f["tenure_band"],
        "program": f["program_id"].fillna("(none)"),
        "supervisor": f["supervisor_id"].fillna("(no supervisor)"),
        "seat": f["position_id"].fillna("(no seat)"),
    }


def departure_factors(org, *, start=None, end=None, as_of=None, period_months=None, window_days=None,
                      min_cell=None, alpha=0.05, termination_types=None) -> Result:
    """Factors over-represented among people who left in a period, against those who stayed.

    Parameters
    ----------
    org : OrgGraph
    start, end : date, optional
        The period (whole months containing these days). Default: the last
        ``[departures] period_months`` (12) months up to ``as_of`` or the data end.
    as_of : date, optional
        Same as ``end`` when ``end`` is not given.
    period_months : int, optional
    window_days : int, optional
        "Supervisor recently left" window; default ``[cascades] window_days`` (180).
    min_cell : int, optional
        Suppress levels with fewer people; default ``[privacy] min_cell`` (5).
    alpha : float, default 0.05
        A level is ``over_represented`` when its rate ratio is above 1 and its
        adjusted p-value below ``alpha``.
    termination_types : list of str, optional
        Count only these exits (for example ``["voluntary"]``); other exits end
        the person's time at risk without counting.

    Returns
    -------
    Result
        ``table``: one record per level shown (``factor``,
        ``level``, ``people``, ``leavers``, ``person_years``, ``exits``,
        ``exit_rate_per_year``, ``rate_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``p_adjusted``, ``share_of_exits``,
        ``share_of_person_time``, ``over_represented``, ``description``;
        sorted by adjusted p-value). ``extras``: ``period`` (``start``,
        ``end``), ``exits``, ``people``, ``leavers``, ``person_years`` and
        ``suppressed`` (levels hidden, by factor). ``summary``: sentences for
        the top over-represented levels.

    Raises
    ------
    AnalysisError
        If the period holds no person-time.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = departure_factors(example_org(), start="2022-01-01", end="2022-06-30", min_cell=1)
    >>> res.extras["exits"], res.extras["people"]
    (2, 5)
    >>> r = [x for x in res.table if x["factor"] == "documentation_band" and x["level"] == "1.0 or more"][0]
    >>> r["exits"], r["leavers"], r["people"]
    (1, 1, 1)
    """
    recent = int(setting_of(org, "cascades", "window_days", window_days))
    months = int(setting_of(org, "departures", "period_months", period_months))
    cell = int(setting_of(org, "privacy", "min_cell", min_cell))
    cut = analysis_cut(org, end if end is not None else as_of)
    last = (cut - pd.Timedelta(days=1)).date()
    hi_mi = month_index([pd.Timestamp(last)])[0]
    lo_mi = month_index([pd.Timestamp(as_date(start))])[0] if start is not None else hi_mi - months + 1
    if lo_mi > hi_mi:
        raise AnalysisError(f"the period starts ({start}) after it ends ({last})")
    f = monthly_factors(org)
    f = f[(f["mi"] >= lo_mi) & (f["mi"] <= hi_mi)].reset_index(drop=True)
    if not len(f) or f["days"].sum() == 0:
        raise AnalysisError(f"no one was employed between {start or 'the period start'} and {last}")
    ev = f["exit"].to_numpy().copy()
    if termination_types is not None:
        tt = f["staff_id"].map(org.staff_frame["termination_type"]).isin(list(termination_types)).to_numpy()
        ev &= tt
    days = f["days"].to_numpy().astype(float)
    tot_e, tot_d = int(ev.sum()), float(days.sum())
    keep, suppressed = [], {}
    sc = f["sc"].to_numpy().astype(np.int64)
    n_sc = int(sc.max()) + 1 if len(sc) else 1
    untested = []
    for factor, level in _levels(f, recent).items():
        table = _NEEDS.get(factor)
        if table is not None and not len(getattr(org.data, table)):
            untested.append(MISSING[table])
            continue
        codes, names = pd.factorize(level.to_numpy(), sort=True)
        ok = codes >= 0
        k = len(names)
        exits = np.bincount(codes[ok], weights=ev[ok], minlength=k).astype(np.int64)
        level_days = np.bincount(codes[ok], weights=days[ok], minlength=k)
        pairs = np.unique(codes[ok].astype(np.int64) * n_sc + sc[ok])
        people = np.bincount(pairs // n_sc, minlength=k)
        left = ok & ev
        leavers = np.bincount(np.unique(codes[left].astype(np.int64) * n_sc + sc[left]) // n_sc, minlength=k)
        for i, name in enumerate(names):
            if factor == "supervisor_recently_left" and name != "yes":
                continue
            if people[i] < cell:
                suppressed[factor] = suppressed.get(factor, 0) + 1
                continue
            keep.append((factor, name, int(people[i]), int(leavers[i]), int(exits[i]), float(level_days[i])))
    rates = rate_records([e for *_, e, _ in keep], [d for *_, d in keep], [tot_e - e for *_, e, _ in keep],
                         [tot_d - d for *_, d in keep], labels_a=[str(x[1]) for x in keep], label_b="everyone else")
    records = []
    for (factor, name, people_n, leavers_n, e, d), rr in zip(keep, rates):
        records.append({
            "factor": factor, "level": str(name), "people": people_n, "leavers": leavers_n,
            "person_years": rr["person_years"], "exits": e,
            "exit_rate_per_year": rr["exit_rate_per_year"], "rate_ratio": rr["rate_ratio"],
            "ci_low": rr["ci_low"], "ci_high": rr["ci_high"], "p_value": rr["p_value"],
            "share_of_exits": rounded(e / tot_e) if tot_e else None,
            "share_of_person_time": rounded(d / tot_d), "description": FACTORS[factor].format(level=name, days=recent),
        })
    adj = bh_adjust([r["p_value"] for r in records])
    for r, p in zip(records, adj):
        r["p_adjusted"] = p
        rr = r["rate_ratio"]
        r["over_represented"] = bool(p is not None and p < alpha and (rr is None or rr > 1)
                                     and r["exits"] > 0 and (r["ci_low"] or 0) > 1)
    records.sort(key=lambda r: (r["p_adjusted"] if r["p_adjusted"] is not None else 2.0,
                                -(r["rate_ratio"] or 0), r["factor"], r["level"]))
    period = {"start": pd.Timestamp(np.datetime64(int(lo_mi), "M")).date().isoformat(), "end": last.isoformat()}
    settings = {"window_days": recent, "period_months": months, "min_cell": cell, "alpha": alpha,
                "termination_types": None if termination_types is None else list(termination_types)}
    extras = {"period": period, "exits": tot_e, "people": int(f["staff_id"].nunique()),
              "leavers": int(f.loc[ev, "staff_id"].nunique()), "person_years": rounded(tot_d / DAYS_PER_YEAR, 2),
              "suppressed": suppressed}
    return Result("departures", last.isoformat(), settings, records, _summary(records, tot_e, period), extras,
                  untested)


def _summary(records: list[dict], exits: int, period: dict) -> str:
    head = f"{plural(exits, 'exit')} between {period['start']} and {period['end']}."
    top = [r for r in records if r["over_represented"]][:3]
    if not top:
        return head + " No factor stood out beyond chance."
    parts = [head]
    for r in top:
        rr = r["rate_ratio"]
        ratio = f"{rr:.1f} times as frequent" if rr is not None else "far more frequent"
        ci = (f" (95% CI {r['ci_low']:.1f}–{r['ci_high']:.1f})" if r["ci_high"] is not None else "")
        parts.append(f"Exits were {ratio} among {r['description']}{ci}.")
    return " ".join(parts)
