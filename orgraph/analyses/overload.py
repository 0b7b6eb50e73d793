"""Overloaded supervision: span of control, load beyond headcount, and what it costs.

A supervisor's direct span is a daily step function built from a sweep over the
sorted supervision intervals (+1 when a supervision starts, -1 when it ends).
Load beyond headcount comes from the optional tables: supervisees' caseloads,
the supervisor's own caseload (player-coach), programs covered, and supervision
sessions actually delivered versus what policy requires.
"""
from __future__ import annotations

import copy
import weakref
from dataclasses import replace

import numpy as np
import pandas as pd

from ..collector import paused
from ..graph import OrgGraph
from ..stats import poisson_ci_many, poisson_sf_many, rate_ratio
from ..result import Result
from ..settings import analysis_cut, resolve
from .exposure import DAY, iso, num, observed_from, people, supervision, union_intervals
from .exposure import assignments as assignment_intervals
from .coverage import MISSING
from .persontime import (cached, column_codes, factorize_objects, person_time, piece_rates, staff_codes,
                         standard_rates, stratum_days, stratum_exits)

__all__ = ["overloaded_supervisors", "flagged_supervisors", "SPAN_BANDS", "span_band"]

#: Span-of-control bands (direct supervisees), as reported to users.
SPAN_BANDS = (("1", 1, 1), ("2-3", 2, 3), ("4-7", 4, 7), ("8-12", 8, 12), ("13-16", 13, 16), ("17+", 17, 10**9))


def span_band(span: float) -> str | None:
    """The band of a (rounded) span; ``None`` for 0.

    Examples
    --------
    >>> span_band(1), span_band(7.4), span_band(7.6), span_band(40), span_band(0.2)
    ('1', '4-7', '8-12', '17+', None)
    """
    s = int(np.floor(span + 0.5))
    for name, lo, hi in SPAN_BANDS:
        if lo <= s <= hi:
            return name
    return None


def overloaded_supervisors(org: OrgGraph, *, max_span: float | None = None,
                           max_supervisee_caseload: float | None = None,
                           min_delivered_ratio: float | None = None,
                           required_hours_per_week: float | None = None, min_signals: int | None = None,
                           as_of=None) -> Result:
    """Span of control and load per supervisor, overload flags and the exit rate ratio.

    Parameters
    ----------
    org : OrgGraph
    max_span : float, optional
        Flag a supervisor whose time-weighted mean direct span is above this
        (default ``[overload] max_span``).
    max_supervisee_caseload : float, optional
        Flag when supervisees carried more active clients than this, summed,
        in an average month of supervision (needs ``caseload.csv``).
    min_delivered_ratio : float, optional
        Flag when supervision hours delivered (``supervision_sessions.csv``) are
        below this share of the hours required.
    required_hours_per_week : float, optional
        Policy: supervision hours per clinician supervisee per week.
    min_signals : int, optional
        Flag a supervisor when at least this many of the three load signals
        (span, supervisees' caseload, supervision delivered) exceed their limits
        (default 2). When the bundle lacks the caseload or sessions file, fewer
        signals exist and all of them must exceed (so with span alone, span
        decides). ``reasons`` lists every signal exceeded, flagged or not.
    as_of : date or str, optional
        Analyse only data up to this day.

    Returns
    -------
    Result
        ``table``: one record per person who supervised anyone, overloaded
        first then by mean span: ``supervisor_id, mean_span, max_span, span_now,
        total_span, total_span_now, band, supervising_days, supervisee_caseload,
        max_supervisee_caseload, own_caseload, programs,
        supervision_hours_delivered, supervision_hours_required, delivered_ratio,
        overloaded, reasons``, and for overloaded supervisors ``team_exits``,
        ``team_expected``, ``team_ratio``, ``team_ci_low``, ``team_ci_high``,
        ``team_p_value`` (exits of the people while under them against the
        org's usual rates for the same days: role kind x calendar year x
        tenure band on the person-time panel; exact Poisson) and
        ``baseline_exits`` (``None`` for the others). ``extras["bands"]``: share of supervisors per span band (by
        mean span), share on the last day and share of supervisor-days.
        ``extras["rate_ratio"]``: exits per person-day of supervisees while supervised by
        an overloaded supervisor versus by any other, with a 95% interval.

    Notes
    -----
    Everything is measured from
    :func:`~orgraph.analyses.exposure.observed_from` (the start of the export
    window) to ``as_of``. ``mean_span`` is averaged over the days the person supervised at least one
    person. ``total_span`` counts everyone below the supervisor (transitively),
    taking the largest value over the first day of every month and the last day
    analysed; ``total_span_now`` is the value on the last day. Caseload sums
    use the supervisor each supervisee had on the 15th of the month.
    ``programs`` is the largest number of programs the supervisor's supervisees
    worked in at the same time. Required supervision is counted only over the
    period the sessions file covers (first session to the last day analysed),
    for supervisees whose latest seat is a clinician seat.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> res = overloaded_supervisors(demo_org(), max_span=4.5)
    >>> [(s["supervisor_id"], s["max_span"], s["overloaded"]) for s in res.table]
    [('S2', 8, True), ('S1', 4, False)]
    >>> res.table[0]["reasons"]
    ['direct span averaged 4.9 supervisees (limit 4.5)']
    """
    res = _overload(org, as_of, max_span=max_span, max_supervisee_caseload=max_supervisee_caseload,
                    min_delivered_ratio=min_delivered_ratio, required_hours_per_week=required_hours_per_week,
                    min_signals=min_signals)
    return replace(res, settings=_plain_copy(res.settings), table=_plain_copy(res.table),
                   extras=_plain_copy(res.extras), untested=_plain_copy(res.untested))


def _plain_copy(x):
    """A deep copy of plain data (dicts, lists, strings, numbers), without :func:`copy.deepcopy`'s bookkeeping;
    anything else through :func:`copy.deepcopy`.

    Examples
    --------
    >>> a = {"t": [{"reasons": ["x"], "n": 1.5}], "s": None}
    >>> b = _plain_copy(a)
    >>> b == a, b["t"][0]["reasons"] is a["t"][0]["reasons"]
    (True, False)
    """
    t = type(x)
    if t is dict:
        return {k: v if v is None or type(v) in _ATOMS else _plain_copy(v) for k, v in x.items()}
    if t is list:
        return [v if v is None or type(v) in _ATOMS else _plain_copy(v) for v in x]
    if x is None or t in _ATOMS:
        return x
    return copy.deepcopy(x)


_ATOMS = frozenset((str, int, float, bool))


def flagged_supervisors(org: OrgGraph, *, as_of=None) -> dict:
    """The supervisors :func:`overloaded_supervisors` flags with the data up to ``as_of`` (the org's settings):
    supervisor id -> reasons.

    Worked out once per org, day and settings, and read off the full analysis when that ran first (the
    ``orgraph overload`` of an audit): the risk list and the exit effects read the same flags as ``orgraph
    overload``. For another day only what the flag reads is computed (spans, supervisees' caseloads and
    supervision hours), not the totals, programs and exit tests of the full table.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> flagged_supervisors(demo_org())
    {}
    >>> flagged_supervisors(demo_org(), as_of="2021-06-30") == {
    ...     s["supervisor_id"]: s["reasons"] for s in overloaded_supervisors(demo_org(), as_of="2021-06-30").table
    ...     if s["overloaded"]}
    True
    """
    st, cut, key = _setup(org, as_of, {})
    flags = cached(org, "flags:" + key, lambda: _flagged(org, st, cut), copy=False)
    return {sid: list(why) for sid, why in flags.items()}


def _setup(org: OrgGraph, as_of, overrides: dict):
    st = resolve(org, "overload", **overrides)
    cut = analysis_cut(org, as_of)
    return st, cut, f"overload:{cut.date()}:{sorted(st.items())!r}"


def _overload(org: OrgGraph, as_of=None, **overrides) -> Result:
    """The one shared (read-only) result of the analysis for ``as_of`` and these settings."""
    st, cut, key = _setup(org, as_of, overrides)
    res = cached(org, key, lambda: _overloaded_supervisors(org, st, cut), copy=False)
    cached(org, "flags:" + key, lambda: {r["supervisor_id"]: r["reasons"] for r in res.table if r["overloaded"]},
           copy=False)
    return res


def _limits(st: dict) -> tuple[float, float, float, float, int]:
    return (float(st["max_span"]), float(st["max_supervisee_caseload"]), float(st["min_delivered_ratio"]),
            float(st["required_hours_per_week"]), int(st["min_signals"]))


def _intervals(org: OrgGraph, cut):
    """The first day observed, the last day analysed, the supervision intervals from the first day (clipped to
    it), the supervisors' ids (sorted) and the staff codes of the intervals' supervisees and supervisors (None
    when they cannot be read off the org's supervision frame)."""
    obs0 = observed_from(org, cut)
    S = supervision(org, cut)
    S = S[S["end"] > obs0]
    S = S.assign(start=S["start"].clip(lower=obs0)).reset_index(drop=True)
    sups = pd.Index(sorted(S["supervisor_id"].unique()), name="supervisor_id")
    return obs0, cut - DAY, S, sups, _interval_codes(org, S, cut, obs0)


def _interval_codes(org, S: pd.DataFrame, cut, obs0) -> tuple[np.ndarray, np.ndarray] | None:
    """Staff codes of the supervisee and supervisor of each row of ``S`` (:func:`_intervals`): the codes of the
    org's supervision frame (looked up once per org) at the rows it keeps, or None when those rows are not
    exactly ``S``'s."""
    frame = org.supervision_frame
    if not len(S) or not {"staff_id", "supervisor_id", "start", "end"} <= set(frame.columns):
        return None
    start, end = frame["start"], frame["end"].clip(upper=cut)
    rows = np.flatnonzero(((frame["start"] < cut) & (end > start) & (end > obs0)).to_numpy())
    if len(rows) != len(S) or not (np.array_equal(frame["staff_id"].to_numpy()[rows], S["staff_id"].to_numpy())
                                   and np.array_equal(frame["supervisor_id"].to_numpy()[rows],
                                                      S["supervisor_id"].to_numpy())):
        return None
    ee, sup = cached(org, "overload:supervision_codes", lambda: (staff_codes(org, frame["staff_id"]),
                                                                 staff_codes(org, frame["supervisor_id"])),
                     copy=False)
    return ee[rows], sup[rows]


def _mean_spans(out: pd.DataFrame, seg: pd.DataFrame) -> pd.DataFrame | None:
    """Sets ``supervising_days`` and ``mean_span`` of ``out`` (indexed by supervisor) from the span segments;
    returns the segments with a span (None when there are none)."""
    if not len(seg):
        out["supervising_days"] = out["mean_span"] = 0
        return None
    on = seg[seg["span"] > 0]
    w = on["span"] * on["days"]
    g = on.assign(w=w).groupby("supervisor_id")
    out["supervising_days"] = g["days"].sum()
    out["mean_span"] = g["w"].sum() / out["supervising_days"]
    return g


def _hours(org: OrgGraph, out: pd.DataFrame, S: pd.DataFrame, sups, cut, obs0, per_week: float) -> bool:
    """Sets ``delivered`` and ``required`` supervision hours of ``out``; whether the bundle has sessions."""
    sess = org.data.supervision_sessions
    has_sessions = "supervision_sessions" in org.data.present or len(sess) > 0
    out["delivered"] = out["required"] = np.nan
    if has_sessions:
        keep = ((sess["date"] < cut) & (sess["date"] >= obs0)).to_numpy()
        if keep.any():
            period_start = pd.Timestamp(sess["date"].to_numpy()[keep].min())     # no Series of the rows kept
            P = people(org, cut, start=obs0)
            out["delivered"] = _delivered(org, sess, keep, sups)
            clin = S[S["staff_id"].map(P["role_kind"]) == "clinician"]
            days = (clin["end"] - clin["start"].clip(lower=period_start)).dt.days.clip(lower=0)
            req = (days / 7.0 * per_week).groupby(clin["supervisor_id"]).sum()
            out["required"] = req.reindex(sups).fillna(0.0)
    return has_sessions


def _delivered(org: OrgGraph, sess: pd.DataFrame, keep: np.ndarray, sups: pd.Index) -> np.ndarray:
    """Supervision hours delivered by each of ``sups`` in the sessions rows ``keep`` (0 for none).

    Whole minutes are summed exactly in any order, so they are counted per supervisor code (the codes of the
    sessions table worked out once per org); other minutes (fractions, missing) by a pandas ``groupby``.

    Examples
    --------
    >>> sess = pd.DataFrame({"supervisor_id": ["A", "B", "A", None, "A"], "minutes": [60, 30, 90, 60, 15]})
    >>> _delivered(None, sess, np.array([True, True, True, True, False]), pd.Index(["A", "C", "B"])).tolist()
    [2.5, 0.0, 0.5]
    """
    minutes = sess["minutes"].to_numpy()
    if minutes.dtype.kind not in "iubf":
        return _delivered_by_groupby(sess, keep, sups)
    codes, ids = _session_supervisors(org, sess)
    total, size = np.zeros(len(ids)), 0.0
    for a in range(0, len(minutes), _CHUNK):               # a chunk of rows at a time: no copy of every row
        k = keep[a:a + _CHUNK] & (codes[a:a + _CHUNK] >= 0)
        m = minutes[a:a + _CHUNK][k].astype(float)
        if m.dtype.kind == "f" and not (np.isfinite(m).all() and np.array_equal(m, np.trunc(m))):
            return _delivered_by_groupby(sess, keep, sups)
        total += np.bincount(codes[a:a + _CHUNK][k], weights=m, minlength=len(ids))
        size += float(np.abs(m).sum())
    if size >= 2.0**52:                                     # a partial sum might not be a whole number exactly
        return _delivered_by_groupby(sess, keep, sups)
    return np.append(total, 0.0)[ids.get_indexer(sups)] / 60.0     # -1 (no session) reads the last slot: 0


#: Rows of a large table handled at a time.
_CHUNK = 1 << 20

#: Cells a dense key table may have beyond a few per row (64 MB of row numbers).
_DENSE_EXTRA = 16_000_000


def _delivered_by_groupby(sess: pd.DataFrame, keep: np.ndarray, sups: pd.Index) -> np.ndarray:
    per = sess.loc[keep, ["supervisor_id", "minutes"]].groupby("supervisor_id")["minutes"].sum() / 60.0
    return per.reindex(sups).fillna(0.0).to_numpy(dtype=float)


def _session_supervisors(org, sess: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Code of each sessions row's supervisor (-1 for none) and the distinct ids: once per org and sessions
    table (the check day of the risk list reads the same table)."""
    def build():
        codes, ids = factorize_objects(sess["supervisor_id"].to_numpy(dtype=object))    # each id object hashed once
        return codes.astype(np.int32 if len(ids) < 2**31 else np.int64), pd.Index(ids, dtype=object)

    return _per_table(org, "overload:session_supervisors", sess, build)


def _per_table(org, name: str, table, build):
    """``build()`` once per org and ``table`` object (the codes of one of the tables the org keeps), under
    ``name`` in the org's shared tables; built afresh for another table, or when nothing can be kept.

    Examples
    --------
    >>> class Org: pass
    >>> org, t, calls = Org(), pd.DataFrame({"a": [1]}), []
    >>> _per_table(org, "n", t, lambda: calls.append(1) or 5), _per_table(org, "n", t, lambda: 6), len(calls)
    (5, 5, 1)
    >>> _per_table(org, "n", pd.DataFrame({"a": [1]}), lambda: 7)
    7
    """
    try:
        ref = weakref.ref(table)
    except TypeError:
        return build()
    hit = cached(org, name, lambda: [None, None], copy=False) if org is not None else None
    if hit is None:
        return build()
    if hit[0] is None or hit[0]() is not table:
        hit[:] = [ref, build()]
    return hit[1]


def _has_caseload(org: OrgGraph) -> bool:
    return "caseload" in org.data.present or len(org.data.caseload) > 0


def _signal_count(out: pd.DataFrame, has_caseload: bool) -> int:
    """How many of the three load signals the data let us judge."""
    return 1 + int(has_caseload and out["supervisee_caseload"].notna().any()) + int(out["required"].notna().any())


def _reasons(r: dict, lim_span: float, lim_load: float, lim_ratio: float) -> tuple[list[str], float | None]:
    """The signals a supervisor (a row of the signal columns) exceeds, in words, and the delivered ratio."""
    reasons = []
    if r["mean_span"] > lim_span:
        reasons.append(f"direct span averaged {r['mean_span']:.1f} supervisees (limit {lim_span:g})")
    if pd.notna(r["supervisee_caseload"]) and r["supervisee_caseload"] > lim_load:
        reasons.append(f"supervisees carried {r['supervisee_caseload']:.0f} active clients in an average month"
                       f" (limit {lim_load:g})")
    ratio = None
    if pd.notna(r["required"]) and r["required"] > 0:
        ratio = r["delivered"] / r["required"]
        if ratio < lim_ratio:
            reasons.append(f"delivered {r['delivered']:.0f} of {r['required']:.0f} required supervision hours"
                           f" ({ratio:.0%}; minimum {lim_ratio:.0%})")
    return reasons, ratio


def _flagged(org: OrgGraph, st: dict, cut) -> dict:
    """Supervisor id -> reasons of the supervisors flagged with the data before ``cut``, in the order of the
    full table: only the signal columns are computed."""
    lim_span, lim_load, lim_ratio, per_week, need = _limits(st)
    obs0, ref, S, sups, codes = _intervals(org, cut)
    out = pd.DataFrame(index=sups)
    _mean_spans(out, _span_segments(S))
    out = out.fillna({"supervising_days": 0, "mean_span": 0.0})
    has_caseload = _has_caseload(org)
    out["supervisee_caseload"] = np.nan
    if has_caseload and len(S):
        sc, _ = _caseloads(S, org.data.caseload, cut, org, own=False, codes=codes)
        out["supervisee_caseload"] = sc["mean"].reindex(sups)
    _hours(org, out, S, sups, cut, obs0, per_week)
    signals = _signal_count(out, has_caseload)
    cols = ("mean_span", "supervisee_caseload", "delivered", "required")
    v = {c: out[c].to_numpy(dtype=float) for c in cols}
    with np.errstate(divide="ignore", invalid="ignore"):     # NaN and x / 0 compare False: no reason
        maybe = ((v["mean_span"] > lim_span) | (v["supervisee_caseload"] > lim_load)
                 | ((v["required"] > 0) & (v["delivered"] / v["required"] < lim_ratio)))
    flagged = []
    for i in np.flatnonzero(maybe):                          # only a supervisor past a limit can have reasons
        sid, r = out.index[i], {c: float(v[c][i]) for c in cols}
        reasons, _ = _reasons(r, lim_span, lim_load, lim_ratio)
        if len(reasons) >= max(1, min(need, signals)):
            flagged.append((-(num(r["mean_span"], 2) or 0), sid, reasons))
    flagged.sort(key=lambda x: x[:2])
    return {sid: reasons for _, sid, reasons in flagged}


def _overloaded_supervisors(org: OrgGraph, st: dict, cut) -> Result:
    lim_span, lim_load, lim_ratio, per_week, need = _limits(st)
    obs0, ref, S, sups, codes = _intervals(org, cut)
    settings = {"max_span": lim_span, "max_supervisee_caseload": lim_load, "min_delivered_ratio": lim_ratio,
                "required_hours_per_week": per_week, "min_signals": need, "observed_from": iso(obs0), "as_of": iso(ref)}
    out = pd.DataFrame(index=sups)

    seg = _span_segments(S)
    g = _mean_spans(out, seg)
    if g is not None:
        out["max_span"] = g["span"].max()
        last = seg[seg["date"] <= ref].groupby("supervisor_id").tail(1).set_index("supervisor_id")
        out["span_now"] = last["span"].reindex(sups).fillna(0)
    else:
        out["max_span"] = out["span_now"] = 0
    out = out.fillna({"supervising_days": 0, "mean_span": 0.0, "max_span": 0, "span_now": 0})

    ids, total_max, total_now = _total_span_arrays(S, obs0, ref)
    at = pd.Index(ids, dtype=object).get_indexer(sups)     # -1 (never a supervisor or supervisee): 0
    out["total_span"] = np.append(total_max, 0)[at].astype(float)
    out["total_span_now"] = np.append(total_now, 0)[at].astype(float)

    has_caseload = _has_caseload(org)
    out["supervisee_caseload"] = out["max_supervisee_caseload"] = out["own_caseload"] = np.nan
    if has_caseload and len(S):
        sc, oc = _caseloads(S, org.data.caseload, cut, org, codes=codes)
        out["supervisee_caseload"] = sc["mean"].reindex(sups)
        out["max_supervisee_caseload"] = sc["max"].reindex(sups)
        out["own_caseload"] = oc.reindex(sups)
    out["programs"] = _programs(S, assignment_intervals(org, cut)).reindex(sups).fillna(0)

    has_sessions = _hours(org, out, S, sups, cut, obs0, per_week)

    signals = _signal_count(out, has_caseload)
    with paused():                               # plain records: no collection while they are made
        records = []
        names = list(out.columns)
        for sid, *row in zip(out.index, *(out[c].tolist() for c in names)):      # Python numbers, as to_dict gives
            r = dict(zip(names, row))
            reasons, ratio = _reasons(r, lim_span, lim_load, lim_ratio)
            records.append({
                "supervisor_id": sid,
                "mean_span": num(r["mean_span"], 2),
                "max_span": int(r["max_span"]),
                "span_now": int(r["span_now"]),
                "total_span": int(r["total_span"]),
                "total_span_now": int(r["total_span_now"]),
                "band": span_band(r["mean_span"]),
                "supervising_days": int(r["supervising_days"]),
                "supervisee_caseload": num(r["supervisee_caseload"], 1),
                "max_supervisee_caseload": num(r["max_supervisee_caseload"], 1),
                "own_caseload": num(r["own_caseload"], 1),
                "programs": int(r["programs"]),
                "supervision_hours_delivered": num(r["delivered"], 1),
                "supervision_hours_required": num(r["required"], 1),
                "delivered_ratio": num(ratio, 3),
                "overloaded": len(reasons) >= max(1, min(need, signals)),
                "reasons": reasons,
            })
    records.sort(key=lambda x: (not x["overloaded"], -(x["mean_span"] or 0), x["supervisor_id"]))
    flagged = {x["supervisor_id"] for x in records if x["overloaded"]}
    _team_tests(person_time(org, cut), records, flagged)
    n_over = sum(r["overloaded"] for r in records)
    summary = f"{n_over} of {len(records)} people who supervise are overloaded."
    ratio = _exit_ratio(person_time(org, cut), flagged)
    untested = []
    if not has_caseload:
        untested.append(MISSING["caseload"])
    if not has_sessions:
        untested.append(MISSING["supervision_sessions"])
    if ratio.get("rate_ratio") is None:
        untested.append("No supervisor was overloaded, or no one under one could be compared, so the exit rate "
                        "under overloaded supervisors could not be tested." if records else
                        "Nobody supervised anyone in the window, so supervisor overload could not be tested.")
    return Result("overload", settings["as_of"], settings, records, summary,
                  {"bands": _bands(records, seg), "rate_ratio": ratio}, untested)


def _span_segments(S: pd.DataFrame) -> pd.DataFrame:
    """Constant-span segments per supervisor: ``supervisor_id, date, span, days``."""
    if not len(S):
        return pd.DataFrame(columns=["supervisor_id", "date", "span", "days"])
    ev = pd.concat([pd.DataFrame({"supervisor_id": S["supervisor_id"], "date": S["start"], "d": 1}),
                    pd.DataFrame({"supervisor_id": S["supervisor_id"], "date": S["end"], "d": -1})])
    ev = ev.groupby(["supervisor_id", "date"], sort=True)["d"].sum().reset_index()
    ev["span"] = ev.groupby("supervisor_id")["d"].cumsum()
    nxt = ev.groupby("supervisor_id")["date"].shift(-1)
    ev["days"] = (nxt - ev["date"]).dt.days.fillna(0).astype(int)
    return ev[["supervisor_id", "date", "span", "days"]]


def _total_spans(S: pd.DataFrame, start, ref: pd.Timestamp) -> tuple[dict, dict]:
    """Transitive span per supervisor: max over month starts (and ``ref``), and on ``ref`` (dicts by id of
    :func:`_total_span_arrays`)."""
    ids, best, now = _total_span_arrays(S, start, ref)
    return dict(zip(ids, best)), dict(zip(ids, now))


def _total_span_arrays(S: pd.DataFrame, start, ref: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Transitive span per person of ``S`` (the ids, an object array): max over month starts (and ``ref``), and
    on ``ref`` (int64 arrays).

    The check days each supervision row covers are worked out once (two binary searches), and the rows are
    expanded to (check day, row) pairs grouped by day, a block of days at a time: each day then reads its own
    rows instead of testing every row, and walks up the tree from its supervisees only.
    """
    if not len(S):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, ids = pd.factorize(np.concatenate([S["staff_id"].to_numpy(), S["supervisor_id"].to_numpy()]))
    ids = np.asarray(ids, dtype=object)
    n = len(ids)
    child = codes[: len(S)]
    parent = codes[len(S):]
    s0 = S["start"].to_numpy()
    e0 = S["end"].to_numpy()
    checks = list(pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), ref, freq="MS"))
    checks.append(ref)
    if s0.dtype.kind != "M" or e0.dtype.kind != "M" or np.isnat(s0).any() or np.isnat(e0).any():
        return _total_span_arrays_day_by_day(child, parent, ids, s0, e0, checks)
    days = np.array([np.datetime64(d) for d in checks]).astype(s0.dtype)
    lo = np.searchsorted(days, s0, side="left")              # the first check day on or after the start
    hi = np.searchsorted(days, e0.astype(s0.dtype), side="left")     # check days before hi are before the end
    up = np.full(n, -1, dtype=np.int64)
    owner = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int64)
    now = best
    per_day = max(1, int(np.maximum(hi - lo, 0).sum()) // max(1, len(days)))
    block = max(1, (4 * _CHUNK) // per_day)
    for d0 in range(0, len(days), block):
        d1 = min(d0 + block, len(days))
        a, b = np.maximum(lo, d0), np.minimum(hi, d1)
        cnt = np.maximum(b - a, 0)
        rep = np.repeat(np.arange(len(S), dtype=np.int32 if len(S) < 2**31 else np.int64), cnt)
        day = (a[rep] - d0) + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        day = day.astype(np.int16 if d1 - d0 < 2**15 else np.int64)    # a radix sort of small numbers
        order = np.argsort(day, kind="stable")               # by day; rows in their order within a day
        day, rep = day[order], rep[order]
        del order
        bounds = np.searchsorted(day, np.arange(d1 - d0 + 1))
        kids, dads = child[rep], parent[rep]
        del rep, day
        for i in range(d1 - d0):
            c, p = kids[bounds[i]:bounds[i + 1]], dads[bounds[i]:bounds[i + 1]]
            k = np.arange(len(c))
            up[c] = p                                        # a supervisee on two rows: the later row's supervisor
            owner[c] = k
            cur = c[owner[c] == k]                           # each supervisee once
            walked = []
            for _ in range(64):  # depth guard: cycles are rejected by validation
                if not cur.size:
                    break
                par = up[cur]
                walked.append(par)
                cur = par[up[par] >= 0]
            total = np.bincount(np.concatenate(walked), minlength=n) if walked else np.zeros(n, dtype=np.int64)
            up[c] = -1
            best = np.maximum(best, total)
            now = total
    return ids, best, now


def _total_spans_day_by_day(child, parent, ids, s0, e0, checks) -> tuple[dict, dict]:
    """:func:`_total_spans` testing every row on every check day (for start or end columns that are not all
    datetimes)."""
    return _day_by_day_dicts(*_total_span_arrays_day_by_day(child, parent, ids, s0, e0, checks))


def _day_by_day_dicts(ids, best, now) -> tuple[dict, dict]:
    return dict(zip(ids, best)), dict(zip(ids, now))


def _total_span_arrays_day_by_day(child, parent, ids, s0, e0, checks):
    """:func:`_total_span_arrays` testing every row on every check day."""
    best = np.zeros(len(ids), dtype=np.int64)
    now = best
    for day in checks:
        d = np.datetime64(day)
        act = (s0 <= d) & (e0 > d)
        up = np.full(len(ids), -1)
        up[child[act]] = parent[act]
        total = np.zeros(len(ids), dtype=np.int64)
        has_up = up >= 0
        cur = np.nonzero(has_up)[0]
        for _ in range(64):  # depth guard: cycles are rejected by validation
            if not cur.size:
                break
            par = up[cur]
            total += np.bincount(par, minlength=len(ids))
            cur = par[has_up[par]]
        best = np.maximum(best, total)
        now = total
    return ids, best, now


def _month_index(ts) -> np.ndarray:
    """``year * 12 + month - 1`` of each datetime.

    Examples
    --------
    >>> _month_index(pd.to_datetime(["1969-12-31", "2024-03-15"])).tolist()
    [23639, 24290]
    """
    months = np.asarray(pd.DatetimeIndex(ts).to_numpy().astype("datetime64[M]").astype(np.int64))
    return months + 1970 * 12


def _months_of(ts: np.ndarray) -> np.ndarray:
    """:func:`_month_index` of datetimes (no missing ones): the day of each through a table of the months of the
    days between the first and the last (a calendar conversion per distinct day, not per value).

    Examples
    --------
    >>> ts = pd.to_datetime(["1969-12-31 00:00", "2024-03-15 00:00", "2024-02-29 23:00"]).to_numpy()
    >>> _months_of(ts).tolist() == _month_index(ts).tolist() == [23639, 24290, 24289]
    True
    """
    days = ts.astype("datetime64[D]").astype(np.int64) if ts.dtype != np.dtype("datetime64[ns]") else \
        ts.view(np.int64) // (86_400 * 10**9)                 # floor, as the conversion to days
    if not days.size:
        return days
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 4 * days.size + 1_000_000:
        return ts.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return table[days - lo]


def _caseloads(S: pd.DataFrame, caseload: pd.DataFrame, cut, org=None, *, own: bool = True,
               codes: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[pd.DataFrame, pd.Series | None]:
    """Supervisees' summed clients per supervisor-month (mean, max) and the supervisor's own mean (None when
    not ``own``).

    Each supervision interval is expanded to the months whose 15th it covers, and
    matched to caseload rows through one integer key (person x month), so
    the cost is a table lookup, not a many-to-many merge. With ``org``, people are numbered by their
    :func:`~orgraph.analyses.persontime.staff_codes` (the caseload's looked up once per org) instead of hashing
    every caseload row's id; ``codes`` are those of ``S``'s supervisees and supervisors when known already
    (:func:`_intervals`).

    Examples
    --------
    >>> S = pd.DataFrame({"staff_id": ["A", "B"], "supervisor_id": ["S", "S"],
    ...                   "start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "end": pd.to_datetime(["2024-04-01", "2024-04-01"])})
    >>> cl = pd.DataFrame({"staff_id": ["A", "A", "B", "S"], "active_clients": [10, 12, 5, 3],
    ...                    "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-02-01"])})
    >>> sc, own = _caseloads(S, cl, pd.Timestamp("2024-03-01"))
    >>> sc.to_dict("index"), own.to_dict()
    ({'S': {'mean': 13.5, 'max': 17.0}}, {'S': 3.0})
    """
    labels, ee, sup, who, in_s = _caseload_people(org, S, caseload, codes)
    cut64 = np.datetime64(pd.Timestamp(cut).as_unit("ns").to_datetime64(), "ns")
    active = caseload["active_clients"].to_numpy()
    index = _caseload_index(who, caseload["month"].to_numpy(), cut64, len(labels), active, in_s)
    del who
    if index is None:   # no caseload month before the cut: the caseload signal is not available
        return pd.DataFrame({"mean": [], "max": []}, dtype=float), pd.Series(dtype=float)
    base, span, find, whole = index
    clients = _CaseloadClients(active)
    # months m with start <= m-01 + 14 days < end
    st, en = pd.DatetimeIndex(S["start"]), pd.DatetimeIndex(S["end"])
    first = _month_index(st) + (st.day > 15) - base
    last = _month_index(en) - (en.day <= 15) - base
    first = np.maximum(first, 0)
    last = np.minimum(last, span - 1)
    n = np.maximum(last - first + 1, 0)
    bosses, boss = np.unique(sup, return_inverse=True)     # the supervisors, numbered 0 .. k - 1
    n_keys = len(bosses) * span
    if n_keys <= 16_000_000 and whole:
        # supervisees' clients summed per (supervisor, month) on a dense table, a chunk of supervision-months at
        # a time: whole numbers, so any order of summing gives the same
        seen, total = np.zeros(n_keys, dtype=bool), np.zeros(n_keys)
        for rep, m in _month_chunks(first, n):
            row = find(ee[rep] * span + m)
            hit = row >= 0
            boss_m = boss[rep[hit]] * span + m[hit]
            seen[boss_m] = True
            total += np.bincount(boss_m, weights=clients[row[hit]], minlength=n_keys)
        keys = np.flatnonzero(seen)
        per_month = total[keys]
        del seen, total
    else:
        rep, m = _expand_months(first, n, 0, len(n))
        row = find(ee[rep] * span + m)
        hit = row >= 0
        boss_m = boss[rep][hit] * span + m[hit]
        del rep, m
        keys, per_month = _sums_by_key(boss_m, clients[row[hit]], n_keys)
        del row, hit, boss_m
    grp = keys // span
    head, count = _runs(grp)
    sc = pd.DataFrame({"mean": _run_sums(per_month, head) / count, "max": _run_max(per_month, head)},
                      index=labels[bosses[grp[head]]])
    if not own:
        return sc, None
    row = find(bosses[grp] * span + keys % span)           # the supervisor's own caseload in those months
    ok = row >= 0
    og = grp[ok]
    o_head, o_count = _runs(og)
    own = pd.Series(_run_sums(clients[row[ok]], o_head) / o_count, index=labels[bosses[og[o_head]]])
    return sc, own


def _whole_size(values: np.ndarray) -> float:
    """The sum of the sizes of ``values`` when all are whole numbers, else infinity (sums of whole numbers are
    exact whatever the order while below 2**53).

    Examples
    --------
    >>> _whole_size(np.array([3.0, -2.0, 12.0])), _whole_size(np.array([1.5, 2.0])), _whole_size(np.array([np.nan]))
    (17.0, inf, inf)
    """
    v = np.asarray(values, dtype=float)
    if not (np.isfinite(v).all() and np.array_equal(v, np.trunc(v))):
        return np.inf
    return float(np.abs(v).sum())


class _CaseloadClients:
    """Active clients of caseload rows, as floats: ``clients[rows]``.

    Examples
    --------
    >>> _CaseloadClients(np.array([4, 7, 9]))[np.array([2, 0])].tolist()
    [9.0, 4.0]
    """

    def __init__(self, active: np.ndarray):
        self.active = active

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        return self.active[rows].astype(float)


def _caseload_index(who: np.ndarray, month: np.ndarray, cut64, n_people: int, clients: np.ndarray,
                    wanted: np.ndarray | None = None):
    """The caseload rows of people ``who >= 0`` (and ``wanted[who]``, with a last slot for -1, when given) in
    months before ``cut64``, indexed by person x month:
    ``(base, span, find, whole)`` with ``base`` the first month (:func:`_month_index`), ``span`` the number of
    months and ``whole`` whether the ``clients`` of those rows are whole numbers (summing below 2**53), or
    None without such rows. ``find(keys)`` gives the first such row (a row of the caseload table) of each key
    ``person * span + month - base`` (-1 when none).

    The rows are read a chunk at a time (the months, then the keys), so no array of every row is made beyond
    the index: a dense table of ``n_people * span`` row numbers when that is no larger than a few times the
    rows (plus 64 MB), else a sort of the keys and a binary search.

    Examples
    --------
    >>> month = pd.to_datetime(["2024-02-01", "2024-01-01", "2024-02-01", "2024-03-01", "2024-02-01"]).to_numpy()
    >>> base, span, find, whole = _caseload_index(np.array([1, 0, 1, 0, -1]), month, np.datetime64("2024-03-01"),
    ...                                           2, np.array([5, 6, 7, 8, 0.5]))
    >>> span, find(np.array([0, 1, 2, 3])).tolist(), whole
    (2, [1, -1, -1, 0], True)
    """
    starts = range(0, len(month), _CHUNK)

    def rows_at(a):
        w = who[a:a + _CHUNK]
        k = wanted[w] if wanted is not None else w >= 0
        k &= month[a:a + _CHUNK] < cut64
        return a + np.flatnonzero(k)

    def chunks():
        return (rows_at(a) for a in starts)

    lo, hi, count, size = None, None, 0, 0.0
    for r in chunks():
        if r.size:
            size += _whole_size(clients[r])
            cm = _months_of(month[r])
            lo = int(cm.min()) if lo is None else min(lo, int(cm.min()))
            hi = int(cm.max()) if hi is None else max(hi, int(cm.max()))
            count += r.size
    if not count:
        return None
    base, span = lo, hi - lo + 1

    def keys_of(r):
        return who[r].astype(np.int64) * span + (_months_of(month[r]) - base)

    n_keys = n_people * span
    if n_keys <= 4 * count + _DENSE_EXTRA:
        table = np.full(n_keys, -1, dtype=np.int64 if len(month) >= 2**31 else np.int32)
        for a in reversed(starts):                          # from the last rows back: a repeated key, its first row
            r = rows_at(a)
            table[keys_of(r)[::-1]] = r[::-1]

        def find(keys):
            return table[keys].astype(np.int64)
    else:
        rows = np.concatenate(list(chunks()))
        sub = _key_finder(keys_of(rows), n_keys)

        def find(keys):
            j = sub(keys)
            return np.where(j >= 0, rows[np.maximum(j, 0)], -1)
    return base, span, find, size < 2.0**53


def _expand_months(first: np.ndarray, n: np.ndarray, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``a .. b-1`` expanded to their months: each row repeated ``n`` times, with the months
    ``first, first + 1, ...``.

    Examples
    --------
    >>> [x.tolist() for x in _expand_months(np.array([5, 9, 2]), np.array([2, 0, 3]), 0, 3)]
    [[0, 0, 2, 2, 2], [5, 6, 2, 3, 4]]
    """
    nn = n[a:b]
    rep = np.repeat(np.arange(a, b), nn)
    return rep, first[rep] + (np.arange(int(nn.sum())) - np.repeat(np.cumsum(nn) - nn, nn))


def _month_chunks(first: np.ndarray, n: np.ndarray):
    """:func:`_expand_months` of all rows, in consecutive pieces of about ``_CHUNK`` months (whole rows).

    Examples
    --------
    >>> [m.tolist() for _, m in _month_chunks(np.array([5, 9, 2]), np.array([2, 0, 3]))]
    [[5, 6, 2, 3, 4]]
    """
    ends = np.cumsum(n)
    a = 0
    while a < len(n):
        done = int(ends[a - 1]) if a else 0
        b = max(int(np.searchsorted(ends, done + _CHUNK, side="right")), a + 1)
        yield _expand_months(first, n, a, b)
        a = b


def _caseload_people(org, S: pd.DataFrame, caseload: pd.DataFrame, codes=None):
    """People numbered for :func:`_caseloads`: ``(labels, supervisee, supervisor, caseload person, in S)``, the
    ids (an Index), each supervision row's and caseload row's number (-1: unknown) and which numbers are
    people of ``S`` (a bool array with a last slot for -1, or None: every number >= 0 is). Staff codes when
    ``org`` knows every id of ``S`` (the caseload's read-only, worked out once per org and caseload table),
    else positions in the distinct ids of ``S``."""
    if org is not None and len(S):
        ee, sup = codes if codes is not None else (staff_codes(org, S["staff_id"]),
                                                   staff_codes(org, S["supervisor_id"]))
        if (ee >= 0).all() and (sup >= 0).all():
            n = len(org.staff_frame)
            in_s = np.zeros(n + 1, dtype=bool)                  # the last slot: unknown people
            in_s[ee] = in_s[sup] = True
            return org.staff_frame.index, ee, sup, _caseload_codes(org, caseload), in_s
    ids = pd.Index(pd.unique(np.concatenate([S["staff_id"].to_numpy(), S["supervisor_id"].to_numpy()])))
    return (ids, ids.get_indexer(S["staff_id"]), ids.get_indexer(S["supervisor_id"]),
            ids.get_indexer(caseload["staff_id"]).astype(np.int64), None)


def _caseload_codes(org, caseload: pd.DataFrame) -> np.ndarray:
    """Staff code of each caseload row (-1: unknown), read-only: once per org and caseload table."""
    def build():
        codes = staff_codes(org, caseload["staff_id"])
        codes = codes.astype(np.int32) if len(org.staff_frame) < 2**31 else codes
        codes.flags.writeable = False
        return codes

    return _per_table(org, "overload:caseload_codes", caseload, build)


def _key_finder(ck: np.ndarray, n_keys: int):
    """A function giving, for keys in ``0 .. n_keys - 1``, the first position of each in ``ck`` (-1 when
    absent): a dense table when it is no larger than a few times ``ck`` (plus 64 MB), else a sort and a binary
    search.

    Examples
    --------
    >>> find = _key_finder(np.array([9, 4, 9, 1]), 12)
    >>> find(np.array([9, 1, 5, 4])).tolist()
    [0, 3, -1, 1]
    """
    if n_keys <= 4 * len(ck) + 16_000_000:
        table = np.full(n_keys, -1, dtype=np.int64 if len(ck) >= 2**31 else np.int32)
        table[ck[::-1]] = np.arange(len(ck) - 1, -1, -1, dtype=table.dtype)   # a repeated key: its first row
        return lambda keys: table[keys].astype(np.int64)
    order = np.argsort(ck, kind="stable")
    srt = ck[order]

    def find(keys):
        pos = np.searchsorted(srt, keys)
        ok = pos < len(srt)
        ok[ok] = srt[pos[ok]] == keys[ok]
        return np.where(ok, order[np.minimum(pos, len(srt) - 1)], -1)
    return find


def _sums_by_key(key: np.ndarray, values: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys (sorted) and the sum of ``values`` for each, for keys in ``0 .. n_keys - 1``: counted
    on a dense table when it is no larger than a few times the rows, else by sorting.

    Examples
    --------
    >>> [x.tolist() for x in _sums_by_key(np.array([7, 2, 7, 0]), np.array([1.0, 2.0, 0.0, 5.0]), 9)]
    [[0, 2, 7], [5.0, 2.0, 1.0]]
    """
    if n_keys <= 4 * len(key) + 16_000_000:
        present = np.flatnonzero(np.bincount(key, minlength=n_keys))
        return present, np.bincount(key, weights=values, minlength=n_keys)[present]
    keys, inv = np.unique(key, return_inverse=True)
    return keys, np.bincount(inv, weights=values, minlength=len(keys))


def _runs(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First position and length of each run of equal values of ``g``.

    Examples
    --------
    >>> [x.tolist() for x in _runs(np.array([4, 4, 7, 9, 9, 9]))], [x.tolist() for x in _runs(np.array([]))]
    ([[0, 2, 3], [2, 1, 3]], [[], []])
    """
    if not len(g):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    head = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    return head, np.diff(np.r_[head, len(g)])


def _run_sums(values: np.ndarray, head: np.ndarray) -> np.ndarray:
    return np.add.reduceat(values, head) if len(head) else np.zeros(0)


def _run_max(values: np.ndarray, head: np.ndarray) -> np.ndarray:
    return np.maximum.reduceat(values, head) if len(head) else np.zeros(0)


def _programs(S: pd.DataFrame, A: pd.DataFrame) -> pd.Series:
    """Largest number of distinct programs a supervisor's supervisees worked in at once."""
    if not len(S) or not len(A):
        return pd.Series(dtype=float)
    person, _ = pd.factorize(np.concatenate([S["staff_id"].to_numpy(dtype=object),      # missing ids: one code,
                                             A["staff_id"].to_numpy(dtype=object)]),     # as a merge pairs them
                             use_na_sentinel=False)
    left = pd.DataFrame({"person": person[:len(S)], "supervisor_id": S["supervisor_id"].to_numpy(),
                         "start": S["start"].to_numpy(), "end": S["end"].to_numpy()})
    right = pd.DataFrame({"person": person[len(S):], "program_id": A["program_id"].to_numpy(),
                          "start_a": A["start"].to_numpy(), "end_a": A["end"].to_numpy()})
    m = left.merge(right, on="person")                   # on staff codes, not text
    m["start"] = np.maximum(m["start"], m["start_a"])
    m["end"] = np.minimum(m["end"], m["end_a"])
    m = m[m["end"] > m["start"]]
    if not len(m):
        return pd.Series(dtype=float)
    # one integer key per (supervisor, program); a missing program counts as the program "None" (or "nan")
    sup, sup_ids = pd.factorize(m["supervisor_id"].to_numpy(dtype=object))
    prog, _ = pd.factorize(m["program_id"].to_numpy(dtype=object), use_na_sentinel=False)   # no program: one code
    n_prog = int(prog.max()) + 1
    u = union_intervals(pd.DataFrame({"key": sup.astype(np.int64) * n_prog + prog, "start": m["start"].to_numpy(),
                                      "end": m["end"].to_numpy()}), "key")
    boss = u["key"].to_numpy(dtype=np.int64) // n_prog                # supervisors by code, named at the end
    ev = pd.concat([pd.DataFrame({"boss": boss, "date": u["start"].to_numpy(), "d": 1}),
                    pd.DataFrame({"boss": boss, "date": u["end"].to_numpy(), "d": -1})])
    ev = ev.groupby(["boss", "date"], sort=True)["d"].sum().reset_index()
    ev["n"] = ev.groupby("boss")["d"].cumsum()
    most = ev.groupby("boss")["n"].max()
    return pd.Series(most.to_numpy(), index=pd.Index(np.asarray(sup_ids, dtype=object)[most.index.to_numpy()],
                                                       name="supervisor_id"), name="n").sort_index()


def _bands(records: list[dict], seg: pd.DataFrame) -> list[dict]:
    n_all = sum(1 for r in records if r["band"])
    n_now = sum(1 for r in records if r["span_now"] > 0)
    days_by_band: dict[str, float] = {}
    if len(seg):
        on = seg[seg["span"] > 0]
        edges = [lo - 0.5 for _, lo, _ in SPAN_BANDS] + [np.inf]
        band = pd.cut(np.floor(on["span"].astype(float) + 0.5), edges, labels=[b[0] for b in SPAN_BANDS])
        days_by_band = on["days"].groupby(band, observed=False).sum().to_dict()
    tot_days = sum(days_by_band.values())
    rows = []
    for name, _, _ in SPAN_BANDS:
        k = sum(1 for r in records if r["band"] == name)
        k_now = sum(1 for r in records if r["span_now"] > 0 and span_band(r["span_now"]) == name)
        rows.append({"band": name, "supervisors": k, "share": num(k / n_all if n_all else None, 4),
                     "supervisors_now": k_now, "share_now": num(k_now / n_now if n_now else None, 4),
                     "share_of_supervisor_days": num(days_by_band.get(name, 0) / tot_days if tot_days else None, 4)})
    return rows


def _team_tests(pt: pd.DataFrame, records: list[dict], flagged: set) -> None:
    """For each overloaded supervisor: exits of the people while under them against the exits the org's usual
    rates (role kind x calendar year x tenure band) predict for the same days (exact Poisson). Supervisors not
    flagged are not tested (``team_*`` is None): the flag comes from span, load and supervision hours, never from
    exits."""
    rate = piece_rates(pt, standard_rates(stratum_days(pt), stratum_exits(pt)))
    at_risk = pt["days"].to_numpy() > 0
    sel = np.flatnonzero(at_risk & _under(pt, flagged))
    codes, ids = column_codes(pt, "supervisor_id")
    under = codes[sel]                                      # grouped by the panel's codes of the sorted ids
    obs = pd.Series(pt["exit"].to_numpy()[sel].astype(int)).groupby(under).sum()
    exp_ = pd.Series(rate[sel] * pt["days"].to_numpy()[sel]).groupby(under).sum()
    obs.index = exp_.index = pd.Index(ids[exp_.index.to_numpy()], dtype=object)
    baseline = int((pt["exit"].to_numpy() & at_risk).sum())
    tested = [sid for sid in (r["supervisor_id"] for r in records) if sid in flagged and exp_.get(sid, 0.0) > 0]
    ks = np.array([int(obs.get(sid, 0)) for sid in tested], dtype=np.int64)
    mus = np.array([float(exp_.get(sid, 0.0)) for sid in tested], dtype=float)
    lows, highs = poisson_ci_many(ks) if len(tested) else (mus, mus)     # every interval at once (same values)
    ps = poisson_sf_many(ks, mus) if len(tested) else mus
    test = {sid: (int(k), float(mu), float(k / mu), float(lo / mu), float(hi / mu), float(p))
            for sid, k, mu, lo, hi, p in zip(tested, ks, mus, lows, highs, ps)}
    for r in records:
        t = test.get(r["supervisor_id"])
        if t is None:
            r.update({"team_exits": None, "team_expected": None, "team_ratio": None, "team_ci_low": None,
                      "team_ci_high": None, "team_p_value": None, "baseline_exits": None})
            continue
        k, mu, rr, lo, hi, p = t
        r.update({"team_exits": k, "team_expected": num(mu, 4), "team_ratio": num(rr, 4), "team_ci_low": num(lo, 4),
                  "team_ci_high": num(hi, 4), "team_p_value": num(p, 8), "baseline_exits": baseline})


def _under(pt: pd.DataFrame, supervisors) -> np.ndarray:
    """Whether each piece of the panel is under one of ``supervisors`` (ids)."""
    codes, ids = column_codes(pt, "supervisor_id")
    wanted = np.zeros(len(ids) + 1, dtype=bool)            # the last slot: pieces with no supervisor
    hit = pd.Index(ids).get_indexer(pd.Index(list(supervisors), dtype=object))
    wanted[hit[hit >= 0]] = True
    return wanted[codes]


def _exit_ratio(pt: pd.DataFrame, flagged: set) -> dict:
    """Exits per day at risk of people supervised by a flagged supervisor versus by anyone else (the panel's
    pieces with a supervisor)."""
    codes, _ = column_codes(pt, "supervisor_id")
    days, event = pt["days"].to_numpy(), pt["exit"].to_numpy()
    s = (codes >= 0) & (days > 0)
    over = s & _under(pt, flagged)
    rest = s & ~over
    rr = rate_ratio(int(event[over].sum()), float(days[over].sum()), int(event[rest].sum()), float(days[rest].sum()))
    return {"exits_overloaded": rr["events_a"], "person_days_overloaded": rr["time_a"],
            "exits_other": rr["events_b"], "person_days_other": rr["time_b"],
            "annual_rate_overloaded": num(rr["rate_a"] * 365.25 if rr["rate_a"] is not None else None, 4),
            "annual_rate_other": num(rr["rate_b"] * 365.25 if rr["rate_b"] is not None else None, 4),
            "rate_ratio": num(rr["rate_ratio"], 4), "ci_low": num(rr["ci_low"], 4),
            "ci_high": num(rr["ci_high"], 4), "p_value": num(rr["p_value"], 8), "method": rr["method"]}
