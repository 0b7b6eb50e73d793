"""Interval helpers shared by the analyses: who was employed, supervised and seated when.

The person-time panel that every rate counts is built from these in
:mod:`orgraph.analyses.persontime`. Everything here works on the sorted half-open frames of :class:`~orgraph.graph.OrgGraph`
with vectorised pandas/numpy operations. Days are counted as whole person-days:
someone employed on days ``hire .. exit`` (inclusive) contributes
``exit - hire + 1`` days, and their exit is an event on day ``exit``.

``as_of`` cuts the data (:func:`orgraph.settings.analysis_cut` gives the cut): nothing that starts after ``as_of`` exists, exits after
``as_of`` have not happened, and open intervals end at ``as_of + 1``.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..graph import OrgGraph, as_date
from .shared import cached

__all__ = ["observed_from", "people", "supervision", "assignments", "union_intervals", "supervisor_cohorts",
           "post_exit_window", "band_rates", "TENURE_BAND_EDGES", "TENURE_BAND_NAMES", "iso", "num", "DAY"]

#: Tenure bands for expected exits, by days since hire: under 6 months, 6-12 months, 1-2 years, 2 years or more.
#: Clinicians leave most often early in their tenure, so an expected count that ignores tenure overstates how
#: unusual the exits of new hires are.
TENURE_BAND_EDGES = (0, 182, 365, 730)
TENURE_BAND_NAMES = ("under 6 months", "6-12 months", "1-2 years", "2 years or more")

DAY = pd.Timedelta(days=1)

def observed_from(org: OrgGraph, cut: pd.Timestamp | None = None, *, min_missing: float = 5.0,
                  min_gap_days: int = 365) -> pd.Timestamp:
    """First day from which exits are observed: person-time before it is not counted.

    An export often lists only the staff employed during some window, so the years
    before the window are "survivor" time in which nobody could be seen leaving
    (left truncation); counting them would understate every baseline exit rate.
    The window start is the ``[data] start`` setting when the config has one.
    Otherwise the data are taken to start at the first recorded exit when it
    comes more than ``min_gap_days`` after the first day of data *and* the
    person-time before it would, at the exit rate seen afterwards, have produced
    at least ``min_missing`` exits (a chance below 1% of seeing none); else at
    the first day of data.

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff
    >>> staff = {f"A{i}": Staff(f"A{i}", "A", "LPC", dt.date(2003, 1, 1)) for i in range(5)}
    >>> staff["B"] = Staff("B", "B", "LPC", dt.date(2019, 5, 1), dt.date(2022, 1, 7), "voluntary")
    >>> staff["C"] = Staff("C", "C", "LPC", dt.date(2021, 5, 1), dt.date(2022, 6, 30), "voluntary")
    >>> str(observed_from(OrgGraph(OrgData(staff=staff))).date())   # 19 years with no exit: survivor time
    '2022-01-07'
    """
    cfg = getattr(org, "config", None)
    if cfg is not None:
        try:
            start = cfg.get("data", "start")
        except KeyError:
            start = None
        if start:
            return max(pd.Timestamp(as_date(start)), pd.Timestamp(org.data_start))
    t0 = pd.Timestamp(org.data_start)
    sf = org.staff_frame
    cut = org.censor if cut is None else cut
    sf = sf[(sf["hire"] < cut) & ~sf["external"].fillna(False).astype(bool)]
    exited = sf["exit"].notna() & (sf["exit"] < cut)
    if not exited.any():
        return t0
    first = sf.loc[exited, "exit"].min()
    end = sf["end"].clip(upper=cut)
    pre = (end.clip(upper=first) - sf["hire"]).dt.days.clip(lower=0).sum()
    post = (end - sf["hire"].clip(lower=first)).dt.days.clip(lower=0).sum()
    if (first - t0).days <= min_gap_days or post <= 0 or exited.sum() / post * pre < min_missing:
        return t0
    return max(pd.Timestamp(first), t0)


def _clip(df: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    df = df[df["start"] < cut].copy()
    df["end"] = df["end"].clip(upper=cut)
    return df[df["end"] > df["start"]]


def assignments(org: OrgGraph, cut: pd.Timestamp) -> pd.DataFrame:
    """Assignment intervals (``staff_id, position_id, program_id, role_kind, start, end``) cut at ``cut``."""
    return _clip(org.assignment_frame, cut).reset_index(drop=True)


def supervision(org: OrgGraph, cut: pd.Timestamp) -> pd.DataFrame:
    """Supervision intervals (``staff_id, supervisor_id, start, end``) cut at ``cut``."""
    return _clip(org.supervision_frame, cut).reset_index(drop=True)


def people(org: OrgGraph, cut: pd.Timestamp, start: pd.Timestamp | None = None, *,
           include_external: bool = False) -> pd.DataFrame:
    """Staff employed before ``cut``, indexed by ``staff_id``.

    External managers (``external = true`` in staff.csv: named in an export as
    someone's manager but not employed in it) are left out unless
    ``include_external``: they are in no headcount, exit count or rate.

    Columns: ``hire``, ``exit`` (last day, NaT if still employed at ``cut``),
    ``end`` (half-open, at most ``cut``), ``exited``, ``start`` (``hire``, or
    ``start`` if later: see :func:`observed_from`), ``days`` (person-days
    employed from ``start``), ``role_kind`` (of the latest seat started before ``cut``;
    ``"other"`` for staff who never held a seat), ``termination_type``.

    Built once per org, cut, start and ``include_external`` (the analyses of an audit ask for the same table
    many times); each call returns its own copy.
    """
    key = f"people:{pd.Timestamp(cut)!r}:{None if start is None else pd.Timestamp(start)!r}:{include_external}"
    return cached(org, "exposure:" + key, lambda: _people(org, cut, start, include_external))


def _people(org: OrgGraph, cut, start, include_external: bool) -> pd.DataFrame:
    sf = org.staff_frame
    keep = (sf["hire"] < cut).to_numpy()
    if not include_external:
        keep = keep & ~sf["external"].fillna(False).astype(bool).to_numpy()
    sf = sf[keep]
    out = pd.DataFrame(index=sf.index)
    out["hire"] = sf["hire"]
    exited = sf["exit"].notna() & (sf["exit"] < cut)
    out["exit"] = sf["exit"].where(exited)
    out["exited"] = exited
    out["end"] = (sf["exit"] + DAY).where(exited, cut).clip(upper=cut)
    out["start"] = out["hire"] if start is None else out["hire"].clip(lower=start)
    out["days"] = (out["end"] - out["start"]).dt.days.clip(lower=0)
    out["termination_type"] = sf["termination_type"].where(exited)
    # the seats of assignments(org, cut) (started before the cut and not ended by their start), read in the
    # org's assignment frame at those rows instead of a clipped copy of it
    frame = org.assignment_frame
    taken = np.zeros(0, dtype=np.int64)
    if len(frame):
        taken = np.flatnonzero(((frame["start"] < cut) & (frame["end"].clip(upper=cut) > frame["start"])).to_numpy())
    if len(taken):
        out["role_kind"] = _latest_role(org, frame, np.flatnonzero(keep), out.index, taken=taken)
    else:
        out["role_kind"] = None
    out["role_kind"] = out["role_kind"].fillna("other").astype(str)
    return out


def _codes_of(org: OrgGraph, ids: np.ndarray) -> np.ndarray:
    """Row of each id in ``org.staff_frame`` (int64; -1 if unknown).

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> _codes_of(demo_org(), np.array(["C2", "nobody"], dtype=object)).tolist()[1]
    -1
    """
    return org.staff_frame.index.get_indexer(pd.Index(ids, dtype=object)).astype(np.int64)


def _latest_role(org: OrgGraph, af: pd.DataFrame, rows: np.ndarray, index: pd.Index, *,
                 taken: np.ndarray | None = None) -> pd.Series:
    """The role kind of each person's latest seat in ``af`` (the last listed of those started on the latest day;
    NaN for no seat), for the rows ``rows`` of ``org.staff_frame`` (``index``): one sort on staff row numbers and
    start days instead of on id strings. With ``taken`` (ascending row positions), only those rows of ``af``
    count (no copy of the frame is made); without it, all of them.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> org = demo_org()
    >>> r = _latest_role(org, org.assignment_frame, np.arange(len(org.staff_frame)), org.staff_frame.index)
    >>> want = org.assignment_frame.sort_values(["staff_id", "start"]).groupby("staff_id").tail(1)
    >>> r.dropna().sort_index().equals(want.set_index("staff_id")["role_kind"].sort_index())
    True
    """
    if taken is None:
        taken = np.arange(len(af))
    sc = _codes_of(org, af["staff_id"].to_numpy(dtype=object)[taken])
    start = af["start"].to_numpy()[taken]
    role = af["role_kind"].to_numpy(dtype=object)[taken]
    if (sc < 0).any() or np.isnat(start).any():     # an id the staff table lacks, or no start: by the ids
        last = af.iloc[taken].sort_values(["staff_id", "start"]).groupby("staff_id").tail(1).set_index("staff_id")
        return pd.Series(index.map(last["role_kind"]), index=index)
    order = np.lexsort((start.astype("datetime64[ns]").astype(np.int64), sc))     # stable: ties keep their order
    srt = sc[order]
    last = order[np.r_[srt[1:] != srt[:-1], True]]
    table = np.full(len(org.staff_frame), np.nan, dtype=object)
    table[sc[last]] = role[last]
    return pd.Series(table[rows], index=index)


def supervisor_cohorts(org: OrgGraph, cut: pd.Timestamp, lookback_days: int) -> pd.DataFrame:
    """Each departed supervisor's team: the one cohort rule.

    A supervisor's cohort is everyone they supervised on any of the last
    ``lookback_days`` days of their employment (``start <= exit`` and
    ``end > exit - (lookback_days - 1)`` on the half-open supervision
    intervals), for every supervisor who left before ``cut``. The cascade
    analysis, the maps' post-exit window and ``cypher/cascade_risk.cypher`` all
    use this rule.

    Returns
    -------
    DataFrame
        ``supervisor_id``, ``sup_exit`` (the supervisor's last day), ``staff_id``;
        one row per supervisor and cohort member.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> org = demo_org()
    >>> c = supervisor_cohorts(org, org.censor, 30)
    >>> sorted(c.loc[c["supervisor_id"] == "S1", "staff_id"])
    ['C1', 'C2', 'C3', 'C4']
    """
    key = f"supervisor_cohorts:{pd.Timestamp(cut)!r}:{int(lookback_days)}"   # built once per cut: a copy each call
    return cached(org, "exposure:" + key, lambda: _supervisor_cohorts(org, cut, lookback_days))


def _supervisor_cohorts(org: OrgGraph, cut, lookback_days: int) -> pd.DataFrame:
    P = people(org, cut, include_external=True)   # a team that loses an external manager is still a team
    frame = org.supervision_frame
    if len(frame) and {"staff_id", "supervisor_id", "start", "end"} <= set(frame.columns):
        return _cohorts_by_codes(org, frame, P, cut, lookback_days)
    S = supervision(org, cut)
    ex = P.loc[P["exited"] & P.index.isin(S["supervisor_id"].unique()), ["exit"]]
    ex = ex.rename(columns={"exit": "sup_exit"}).rename_axis("supervisor_id").reset_index()
    m = S.merge(ex, on="supervisor_id")
    m = m[(m["start"] <= m["sup_exit"]) & (m["end"] > m["sup_exit"] - (lookback_days - 1) * DAY)]
    return m.drop_duplicates(["supervisor_id", "staff_id"])[["supervisor_id", "sup_exit", "staff_id"]]


def _cohorts_by_codes(org: OrgGraph, frame: pd.DataFrame, P: pd.DataFrame, cut,
                      lookback_days: int) -> pd.DataFrame:
    """:func:`supervisor_cohorts` read off the org's supervision frame through staff codes: the rows of
    :func:`supervision` (started before ``cut``, not ended by their start) whose supervisor is a person of ``P``
    who left, each with that exit, kept when the rule holds, the first of each (supervisor, person) pair. The
    same rows, values and index as merging :func:`supervision` with the exits and dropping duplicates (an inner
    merge keeps the supervision rows' order and numbers them from 0), with no merge on the id strings."""
    start = frame["start"]
    end = frame["end"].clip(upper=cut)
    rows = np.flatnonzero(((start < cut) & (end > start)).to_numpy())
    sup = _codes_of(org, frame["supervisor_id"].to_numpy(dtype=object)[rows])
    n = len(org.staff_frame)
    at = np.full(n + 1, -1, dtype=np.int64)             # row of ``P`` of each staff code that left; last slot: -1
    p_code = org.staff_frame.index.get_indexer(P.index)
    left = P["exited"].to_numpy(dtype=bool) & (p_code >= 0)
    at[p_code[left]] = np.flatnonzero(left)
    k = np.flatnonzero(at[sup] >= 0)                    # the rows a merge with the exits pairs
    p_row = at[sup[k]]
    sup_exit = P["exit"].array.take(p_row)
    se = np.asarray(sup_exit, dtype="datetime64[ns]")
    s0 = start.to_numpy(dtype="datetime64[ns]")[rows[k]]
    e0 = end.to_numpy(dtype="datetime64[ns]")[rows[k]]
    keep = np.flatnonzero((s0 <= se) & (e0 > se - np.timedelta64((lookback_days - 1) * 86_400 * 10**9, "ns")))
    m = pd.DataFrame({"supervisor_id": frame["supervisor_id"].array.take(rows[k[keep]]),
                      "sup_exit": sup_exit.take(keep),
                      "staff_id": frame["staff_id"].array.take(rows[k[keep]])},
                     index=pd.Index(keep, dtype=np.int64))
    return m.drop_duplicates(["supervisor_id", "staff_id"])


def post_exit_window(org: OrgGraph, day, window_days: int, lookback_days: int) -> pd.DataFrame:
    """Who is in the window after a supervisor of theirs left, on ``day``.

    A person is in the window when they are in a supervisor's cohort
    (:func:`supervisor_cohorts`), that supervisor left 1 to ``window_days``
    days before ``day``, and the person still works here on ``day``.

    Returns
    -------
    DataFrame
        ``staff_id``, ``supervisor_id``, ``sup_exit``, sorted by exit date,
        supervisor and person.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> w = post_exit_window(demo_org(), dt.date(2021, 1, 20), 180, 30)
    >>> sorted(w["staff_id"])          # C1 left on 2021-01-10
    ['C2', 'C3', 'C4']
    """
    ts = pd.Timestamp(as_date(day))
    c = supervisor_cohorts(org, ts + DAY, lookback_days)
    c = c[(c["sup_exit"] < ts) & (ts <= c["sup_exit"] + window_days * DAY)]
    sf = org.staff_frame
    hire = c["staff_id"].map(sf["hire"])
    ex = c["staff_id"].map(sf["exit"])
    c = c[(hire <= ts) & (ex.isna() | (ex >= ts))]
    return c[["staff_id", "supervisor_id", "sup_exit"]].sort_values(["sup_exit", "supervisor_id", "staff_id"]) \
        .reset_index(drop=True)


def band_rates(days: pd.DataFrame, exits: pd.DataFrame, *, min_exits: int = 5) -> pd.DataFrame:
    """Exit rates per person-day by stratum x tenure band, thin strata pooled.

    ``days`` and ``exits`` have one column per tenure band and are indexed by
    role kind, or by (role kind, calendar year). The pooling rule: a cell with
    fewer than ``min_exits`` exits takes the rate of its role kind and band over
    all years; if that too has fewer than ``min_exits`` exits, the role kind's
    rate over all bands (with too few exits to see the tenure shape, expected
    counts fall back to the role kind's rate). A role kind with no person-time
    gets rate 0.

    Examples
    --------
    >>> d = pd.DataFrame([[1000, 1000], [100, 1000]], index=["clinician", "admin"])
    >>> e = pd.DataFrame([[10, 5], [1, 5]], index=["clinician", "admin"])
    >>> band_rates(d, e).round(4).values.tolist()     # admin's first band is thin: 6 / 1100 for it
    [[0.01, 0.005], [0.0055, 0.005]]
    >>> idx = pd.MultiIndex.from_tuples([("clinician", 2023), ("clinician", 2024)])
    >>> d2 = pd.DataFrame([[500, 500], [500, 500]], index=idx)
    >>> e2 = pd.DataFrame([[8, 2], [2, 3]], index=idx)
    >>> band_rates(d2, e2).round(4).values.tolist()   # 2023's first band has 8 exits; the rest pool over years
    [[0.016, 0.005], [0.01, 0.005]]
    """
    days = days.astype(float)
    exits = exits.astype(float)
    own = exits / days.where(days > 0)
    if days.index.nlevels > 1:
        broad = band_rates(days.groupby(level=0).sum(), exits.groupby(level=0).sum(), min_exits=min_exits)
        fallback = broad.reindex(days.index.get_level_values(0)).set_axis(days.index)
        return own.where(exits >= min_exits, fallback).fillna(0.0)
    overall = exits.sum(axis=1) / days.sum(axis=1).where(days.sum(axis=1) > 0)
    fallback = pd.DataFrame(np.repeat(overall.to_numpy()[:, None], own.shape[1], axis=1), index=own.index,
                            columns=own.columns)
    return own.where(exits >= min_exits, fallback).fillna(0.0)


def union_intervals(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Merge overlapping or touching half-open ``[start, end)`` intervals per ``key``.

    Examples
    --------
    >>> t = pd.Timestamp
    >>> df = pd.DataFrame({"k": ["a", "a", "a", "b"],
    ...     "start": [t("2020-01-01"), t("2020-01-05"), t("2020-03-01"), t("2020-01-01")],
    ...     "end": [t("2020-01-10"), t("2020-01-20"), t("2020-03-02"), t("2020-01-02")]})
    >>> [(r.k, str(r.start.date()), str(r.end.date())) for r in union_intervals(df, "k").itertuples()]
    [('a', '2020-01-01', '2020-01-20'), ('a', '2020-03-01', '2020-03-02'), ('b', '2020-01-01', '2020-01-02')]
    """
    if not len(df):
        return df[[key, "start", "end"]].copy()
    keys, start, end = df[key].to_numpy(dtype=object), df["start"].to_numpy(), df["end"].to_numpy()
    if start.dtype == end.dtype and start.dtype.kind == "M" and not (pd.isna(keys).any() or np.isnat(start).any()
                                                                     or np.isnat(end).any()):
        return _union_sorted_codes(keys, start, end, key)
    d = df[[key, "start", "end"]].sort_values([key, "start"], kind="stable").reset_index(drop=True)
    prev_end = d.groupby(key)["end"].cummax().groupby(d[key]).shift()
    new = prev_end.isna() | (d["start"] > prev_end)
    grp = new.cumsum()
    out = d.groupby(grp).agg(**{key: (key, "first"), "start": ("start", "min"), "end": ("end", "max")})
    return out.reset_index(drop=True)


def _union_sorted_codes(keys: np.ndarray, start: np.ndarray, end: np.ndarray, key: str) -> pd.DataFrame:
    """:func:`union_intervals` on integer codes of the keys and the times' integer values (no key or time
    missing)."""
    codes, uniq = pd.factorize(keys, sort=True)
    order = np.lexsort((start, codes))                  # by key, then start; stable
    c, s0, e0 = codes[order], start[order].view(np.int64), end[order].view(np.int64)
    first = np.ones(len(c), dtype=bool)
    first[1:] = c[1:] != c[:-1]
    reach = pd.Series(e0).groupby(c).cummax().to_numpy()    # latest end so far within the key
    new = first.copy()
    new[1:] |= s0[1:] > reach[:-1]
    heads = np.flatnonzero(new)
    return pd.DataFrame({key: np.asarray(uniq, dtype=object)[c[heads]], "start": s0[heads].view(start.dtype),
                         "end": np.maximum.reduceat(e0, heads).view(end.dtype)})


def iso(ts) -> str | None:
    """A Timestamp/date as ``YYYY-MM-DD`` (``None`` for NaT/None).

    Examples
    --------
    >>> iso(pd.Timestamp("2024-02-29")), iso(pd.NaT)
    ('2024-02-29', None)
    """
    if ts is None or ts is pd.NaT or (not isinstance(ts, dt.date) and pd.isna(ts)):
        return None
    if isinstance(ts, pd.Timestamp):
        return ts.date().isoformat()
    return ts.isoformat()


def num(x, digits: int = 6):
    """A JSON-friendly float: rounded; ``None`` for None, NaN and infinity (an unbounded
    interval end is reported as ``None``, since JSON has no infinity).

    Examples
    --------
    >>> num(1/3, 3), num(float("inf")), num(None)
    (0.333, None, None)
    """
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):                    # the float test numpy's would make, without an array per call
        return None
    return round(x, digits)
