"""Recurring churn seats: positions that lose their holders more often than turnover explains.

At 30–60% annual turnover, three holders in two years happens by chance. So each
seat's exits over the whole period are tested against the exits expected from
the org's baseline exit rate for the seat's role kind over the days the seat was
occupied (exact Poisson), the p-values are adjusted for the number of seats
(Benjamini–Hochberg), and only seats that both turn over visibly (holder rule)
and beat the baseline are flagged. For flagged seats the departures are
compared: same supervisor, heavy caseloads, heavy documentation, exit type.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..collector import paused
from ..graph import OrgGraph
from ..stats import bh_adjust, poisson_sf_many
from ..result import Result
from ..settings import analysis_cut, resolve
from .exposure import DAY, assignments, iso, num, observed_from, people, supervision
from .hazards import month_rows
from .persontime import (month_index, object_runs, person_time, piece_rates, staff_codes, standard_rates,
                         stratum_days, stratum_exits)

__all__ = ["churn_seats", "INFERRED_SEATS_UNTESTED"]

#: Why a seat an import inferred is never tested as a churn seat.
INFERRED_SEATS_UNTESTED = ("the export has no position ids, so its seats were inferred from program and title: "
                           "which people held the same seat is not in the data, and a 'seat with N holders' would "
                           "be invented")


def churn_seats(org: OrgGraph, *, window_months: int | None = None, min_holders: int | None = None,
                fdr: float | None = None, caseload_percentile: float | None = None,
                doc_ratio: float | None = None, as_of=None) -> Result:
    """Seats whose holders keep leaving, tested against ordinary turnover.

    Parameters
    ----------
    org : OrgGraph
    window_months : int, optional
        Length of the rolling window for the holder rule (default ``[churn]
        window_months``, 24; a month counts as 30.4375 days).
    min_holders : int, optional
        Holder rule: at least this many holders within one window (default 3).
    fdr : float, optional
        Flag when the Benjamini–Hochberg adjusted p-value is below this (default 0.10).
    caseload_percentile : float, optional
        Shared factor "caseload above the Nth percentile" (default 90).
    doc_ratio : float, optional
        Shared factor "documentation hours per session hour at least this" (default 1.0).
    as_of : date or str, optional
        Analyse only data up to this day.

    Returns
    -------
    Result
        ``table``: one record per seat that was ever held, ranked by adjusted
        p-value: ``position_id, title, program_id, role_kind, holders`` (all
        holders), ``max_holders_in_window, exits, expected, occupied_days,
        median_tenure_days, vacancy_days, p_value, p_adjusted, flagged, watch``
        (meets the holder rule but not the test), ``departures`` (``staff_id,
        exit_date, tenure_days, supervisor_id``) and ``shared_factors``
        (sentences, for flagged and watch seats). ``extras["baseline"]``:
        ``exits_per_seat_year`` by role kind; ``extras["inferred_seats"]``: how
        many seats were left out because an import inferred them; ``untested``
        holds the sentence saying so.

        Seats marked ``inferred`` in ``positions.csv`` (made by an import's
        ``[seats] rule`` because the export has no position ids) are not in the
        table: who shared such a seat is a guess, so it is neither tested nor
        watched, and the summary says the question could not be tested.

    Notes
    -----
    *Exits* are holders who left the org while holding the seat (moving to
    another seat is not an exit), from the start of the export window.
    *Expected* is indirectly standardised: each holding's occupied days in
    each calendar year and tenure band (days since the holder's hire: under 6
    months, 6-12 months, 1-2 years, 2 years or more) times the org's exit rate
    for that role kind, year and band (exits from seats of that kind in that
    year and band / their occupied days; a cell with fewer than 5 exits takes
    the rate over all years, then the role kind's overall rate:
    :func:`~orgraph.analyses.exposure.band_rates`), summed over the seat's
    holdings. The rates come from every
    seat except those a first pass flags (a robust baseline: a handful of
    seats that lose holders all the time would otherwise make short tenures
    look normal), and the second pass decides; ``p_value`` is ``P(X >= exits)`` for
    ``X ~ Poisson(expected)``. *Holders in a window*: the largest number of
    holdings that overlap any one window of ``window_months``. *Tenure* is
    days in the seat (ongoing holdings counted to the last day analysed).
    *Vacancy days*: days between the first holder's start and the last day
    analysed on which nobody held the seat. Occupied and vacant days count from
    :func:`~orgraph.analyses.exposure.observed_from` (the start of the export
    window); holders and tenures use the full holdings. *Caseload percentile*: the
    person's mid-rank percentile among everyone's caseload in the same month,
    averaged over the 3 months before the exit month; *documentation ratio*:
    documentation hours / session hours over those months.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> seat = churn_seats(demo_org()).table[0]
    >>> seat["position_id"], seat["holders"], seat["max_holders_in_window"], seat["exits"], seat["vacancy_days"]
    ('CL1', 3, 3, 2, 51)
    """
    st = resolve(org, "churn", window_months=window_months, min_holders=min_holders, fdr=fdr,
                 caseload_percentile=caseload_percentile, doc_ratio=doc_ratio)
    W, k_min, q = int(st["window_months"]), int(st["min_holders"]), float(st["fdr"])
    pct, dr = float(st["caseload_percentile"]), float(st["doc_ratio"])
    cut = analysis_cut(org, as_of)
    obs0 = observed_from(org, cut)
    settings = {"window_months": W, "min_holders": k_min, "fdr": q, "caseload_percentile": pct,
                "doc_ratio": dr, "observed_from": iso(obs0), "as_of": iso(cut - DAY)}
    A = assignments(org, cut)
    P = people(org, cut)
    guessed = {pid for pid, p in org.data.positions.items() if p.inferred}
    n_guessed = int(A["position_id"].isin(guessed).groupby(A["position_id"]).any().sum()) if len(A) else 0
    untested = None
    if n_guessed:
        untested = (f"{n_guessed} seat{' was' if n_guessed == 1 else 's were'} not tested as churn seats: "
                    f"{INFERRED_SEATS_UNTESTED}.")
    if not len(A):
        return Result("churn", settings["as_of"], settings, [], "No seat was ever held.",
                      {"baseline": {"exits_per_seat_year": {}}, "inferred_seats": 0})
    A = A.join(P[["exit", "termination_type"]], on="staff_id")
    A["days"] = (A["end"] - A["start"]).dt.days
    A["exit_here"] = A["exit"].notna() & (A["exit"] + DAY == A["end"])

    A["exit_here"] &= A["exit"] >= obs0          # an exit before the export window cannot be seen
    g = A.groupby("position_id")
    seats = pd.DataFrame({"holders": g.size(), "exits": g["exit_here"].sum(),
                          "median_tenure_days": g["days"].median(),
                          "first": g["start"].min().clip(lower=obs0)})
    seats["role_kind"] = g["role_kind"].first()
    # occupied days and vacancy, from the start of the export window: union of holdings per seat
    Ao = A[A["end"] > obs0]
    ev = pd.concat([pd.DataFrame({"position_id": Ao["position_id"], "date": Ao["start"].clip(lower=obs0), "d": 1}),
                    pd.DataFrame({"position_id": Ao["position_id"], "date": Ao["end"], "d": -1})])
    ev = ev.groupby(["position_id", "date"], sort=True)["d"].sum().reset_index()
    ev["n"] = ev.groupby("position_id")["d"].cumsum()
    ev["next"] = ev.groupby("position_id")["date"].shift(-1).fillna(cut)
    ev["len"] = (ev["next"] - ev["date"]).dt.days
    occ = ev[ev["n"] > 0].groupby("position_id")["len"].sum()
    seats["occupied_days"] = occ.reindex(seats.index).fillna(0)
    seats["vacancy_days"] = (cut - seats["first"]).dt.days - seats["occupied_days"]
    # holder rule: a holding overlaps the window of days [u - wd + 1, u] iff start <= u < end + wd - 1,
    # so the most holders in one window is the largest overlap of the extended holdings
    wd = int(round(W * 30.4375))
    ew = pd.concat([pd.DataFrame({"position_id": A["position_id"], "date": A["start"], "d": 1}),
                    pd.DataFrame({"position_id": A["position_id"], "date": A["end"] + (wd - 1) * DAY, "d": -1})])
    ew = ew.groupby(["position_id", "date"], sort=True)["d"].sum().reset_index()
    ew["n"] = ew.groupby("position_id")["d"].cumsum()
    seats["max_holders_in_window"] = ew.groupby("position_id")["n"].max()

    # exits and expected exits from the person-time panel: each day a seat was held counts at the org's rate for
    # the seat's role kind x calendar year x the holder's tenure band
    pt = person_time(org, cut)
    # each piece's seat as a row of ``seats`` (-1: a seat without holdings here): a person's pieces in one seat
    # are consecutive rows sharing one id object, so each run is looked up (and tested for missing) once
    seat = pt["position_id"].to_numpy(dtype=object)
    heads = object_runs(seat)
    length = np.diff(np.append(heads, len(seat)))
    code = np.repeat(seats.index.get_indexer(pd.Index(seat[heads], dtype=object)), length)
    held = np.repeat(~pd.isna(seat[heads]), length) & (pt["days"].to_numpy() > 0)
    del seat, heads, length
    left_here = held & pt["exit"].to_numpy()
    counted = np.flatnonzero(held & (code >= 0))
    # counted from the (few) exits only: whole numbers, the same as the pieces' sums of their exit flags
    seats["exits"] = np.bincount(code[np.flatnonzero(left_here & (code >= 0))], minlength=len(seats)).astype(int)
    real = ~seats.index.isin(guessed)
    rule = (seats["max_holders_in_window"] >= k_min) & real

    seat_of = pd.Categorical.from_codes(code[counted], categories=pd.RangeIndex(len(seats)))

    def test(excluded: np.ndarray) -> None:
        # code -1 reads the appended False; nothing excluded (the first pass): every held piece
        keep = held & ~np.append(excluded, False)[code] if excluded.any() else held
        rates = standard_rates(stratum_days(pt, keep), stratum_exits(pt, keep))
        mu = piece_rates(pt, rates) * pt["days"].to_numpy()
        # the grouped (compensated) sum of pandas, on the seats' codes as categories (no hashing of the codes)
        expected = pd.Series(mu[counted]).groupby(seat_of, observed=True).sum()
        exp = np.zeros(len(seats))
        exp[expected.index.codes] = expected.to_numpy()
        seats["expected"] = exp
        seats["p_value"] = poisson_sf_many(seats["exits"].to_numpy(), seats["expected"].to_numpy())
        tested = (seats["expected"] > 0) & real
        seats["p_adjusted"] = np.nan
        seats.loc[tested, "p_adjusted"] = bh_adjust(seats.loc[tested, "p_value"].tolist())
        seats["flagged"] = rule & (seats["p_adjusted"] < q)

    # two passes: the seats the first pass flags are left out of the rates the second compares every seat with,
    # so a few seats that lose holders all the time do not make short tenures look normal
    test(np.zeros(len(seats), dtype=bool))
    test(seats["flagged"].to_numpy(dtype=bool))
    seats["watch"] = rule & ~seats["flagged"]
    by = seats.groupby("role_kind")[["exits", "occupied_days"]].sum()
    rate = (by["exits"] / by["occupied_days"].where(by["occupied_days"] > 0)).fillna(0.0)
    seats = seats[real].sort_values(["p_adjusted", "p_value"], na_position="last", kind="stable")

    pos = org.data.positions
    exits = A[A["exit_here"]]
    S = supervision(org, cut)
    detail = exits[exits["position_id"].isin(seats.index[seats["flagged"] | seats["watch"]])]
    factors = _departure_factors(org, detail, S, cut)
    with paused():                               # plain records: no collection while they are made
        out = []
        ints = {c: seats[c].to_numpy().astype(np.int64).tolist() for c in ("holders", "max_holders_in_window", "exits",
                                                                            "occupied_days", "vacancy_days")}
        flags = {c: seats[c].to_numpy(dtype=bool).tolist() for c in ("flagged", "watch")}
        num_cols = {c: _nums(seats[c], digits) for c, digits in (("expected", 4), ("median_tenure_days", 1),
                                                                 ("p_value", 8), ("p_adjusted", 8))}
        for pid, rk, holders, max_w, n_exits, exp, occ, med, vac, p_v, p_a, flag, watch in zip(
                seats.index.tolist(), seats["role_kind"].tolist(), ints["holders"], ints["max_holders_in_window"],
                ints["exits"], num_cols["expected"], ints["occupied_days"], num_cols["median_tenure_days"],
                ints["vacancy_days"], num_cols["p_value"], num_cols["p_adjusted"], flags["flagged"], flags["watch"]):
            p = pos.get(pid)
            deps = factors.get(pid)
            out.append({
                "position_id": pid,
                "title": p.title if p else None,
                "program_id": p.program_id if p else None,
                "role_kind": rk,
                "holders": holders,
                "max_holders_in_window": max_w,
                "exits": n_exits,
                "expected": exp,
                "occupied_days": occ,
                "median_tenure_days": med,
                "vacancy_days": vac,
                "p_value": p_v,
                "p_adjusted": p_a,
                "flagged": flag,
                "watch": watch,
                "departures": [dict(d) for d in deps] if deps else [],   # copies: the sentences read the same dicts
                "shared_factors": _sentences(deps, pct, dr) if deps else [],
            })
    baseline = {k: num(v * 365.25, 4) for k, v in rate.items()}
    n_f, n_w = sum(r["flagged"] for r in out), sum(r["watch"] for r in out)
    if not out and n_guessed:
        summary = f"Churn seats could not be tested: {INFERRED_SEATS_UNTESTED}."
    else:
        summary = f"{len(out)} seats; {n_f} lose holders faster than usual turnover explains, {n_w} to watch."
        if n_guessed:
            summary += f" {untested}"
    return Result("churn", settings["as_of"], settings, out, summary, {
        "baseline": {"exits_per_seat_year": baseline}, "inferred_seats": n_guessed}, [untested] if untested else [])


def _nums(values: pd.Series, digits: int) -> list:
    """:func:`~orgraph.analyses.exposure.num` of every value of a float column, as a list.

    Examples
    --------
    >>> _nums(pd.Series([1 / 3, np.nan, np.inf, 2.0]), 3)
    [0.333, None, None, 2.0]
    """
    return [round(x, digits) if math.isfinite(x) else None for x in values.astype(float).tolist()]


@paused()
def _departure_factors(org: OrgGraph, ex: pd.DataFrame, S: pd.DataFrame, cut) -> dict[str, list[dict]]:
    """Per seat, the exits with supervisor at exit, caseload percentile and documentation ratio."""
    if not len(ex):
        return {}
    ex = ex[["position_id", "staff_id", "exit", "start", "days", "termination_type"]].copy()
    at_exit = _supervisor_at_exit(org, ex, S)
    if at_exit is not None:
        ex["supervisor_id"] = at_exit
    else:                                       # an id the staff table lacks: by merging on the ids
        sv = ex[["staff_id", "exit"]].merge(S[["staff_id", "supervisor_id", "start", "end"]], on="staff_id")
        sv = sv[(sv["start"] <= sv["exit"]) & (sv["end"] > sv["exit"])].drop_duplicates(["staff_id", "exit"])
        ex = ex.merge(sv[["staff_id", "exit", "supervisor_id"]], on=["staff_id", "exit"], how="left")
    ex["m0"] = ex["exit"].dt.to_period("M").dt.to_timestamp() - pd.DateOffset(months=3)
    ex["m1"] = ex["exit"].dt.to_period("M").dt.to_timestamp()  # the 3 months before the exit month

    cl = org.data.caseload
    ex["caseload_pct"] = np.nan
    if len(cl) or len(org.data.documentation):
        e_sc = staff_codes(org, ex["staff_id"].to_numpy())
        e_mi = month_index(ex["m1"].to_numpy())
    if len(cl):
        month = cl["month"].to_numpy()
        before = month < np.datetime64(cut)
        rows, found = _window_rows(org, cl, e_sc, e_mi, before)
        pct = np.zeros(rows.shape)
        pct[found] = _pct_of_rows(cl, before, rows[found])
        n = found.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ex["caseload_pct"] = np.where(n > 0, pct.sum(axis=1) / n, np.nan)
    doc = org.data.documentation
    ex["doc_ratio"] = np.nan
    if len(doc):
        rows, found = _window_rows(org, doc, e_sc, e_mi, None)
        hours = {}
        for col in ("session_hours", "documentation_hours"):
            v = np.zeros(rows.shape)
            v[found] = np.nan_to_num(doc[col].to_numpy(dtype=float)[rows[found]], nan=0.0)
            hours[col] = v.sum(axis=1)
        sess = hours["session_hours"]
        with np.errstate(invalid="ignore", divide="ignore"):
            ex["doc_ratio"] = np.where(found.any(axis=1) & (sess > 0), hours["documentation_hours"] / sess, np.nan)
    out: dict[str, list[dict]] = {}
    ex = ex.sort_values(["position_id", "exit"])
    cpct = ex["caseload_pct"].round(1).astype(object).where(ex["caseload_pct"].notna(), None)
    drat = ex["doc_ratio"].round(3).astype(object).where(ex["doc_ratio"].notna(), None)
    sup = ex["supervisor_id"].astype(object).where(ex["supervisor_id"].notna(), None)
    ttype = ex["termination_type"].astype(object).where(ex["termination_type"].notna(), None)
    days = np.datetime_as_string(ex["exit"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]"), unit="D")
    for pid, sid, day, ten, sv, tt, cp, d in zip(ex["position_id"].tolist(), ex["staff_id"].tolist(), days.tolist(),
                                                ex["days"].tolist(), sup, ttype, cpct, drat):
        out.setdefault(pid, []).append({
            "staff_id": sid, "exit_date": day, "tenure_days": int(ten), "supervisor_id": sv,
            "termination_type": tt, "caseload_percentile": cp, "documentation_ratio": d,
        })
    return out


def _supervisor_at_exit(org: OrgGraph, ex: pd.DataFrame, S: pd.DataFrame) -> np.ndarray | None:
    """The supervisor of each exit of ``ex`` (``staff_id``, ``exit``) on the exit day: of the supervision rows
    ``S`` of that person covering the day (``start <= exit < end``), the first in ``S``'s order (an object
    array; ``None`` where none covers it). The same as merging the exits with ``S`` on the staff id, keeping
    the covering rows and the first of each (person, exit), but through staff codes: each exit's supervision
    rows are found by a binary search among the rows sorted (stably) by staff code. ``None`` when an id of
    ``ex`` is not in the staff table.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> org = demo_org()
    >>> S = org.supervision_frame
    >>> ex = pd.DataFrame({"staff_id": ["C1", "C1", "S1", "C1"],
    ...                    "exit": pd.to_datetime(["2021-01-10", "1990-01-01", "2021-01-01", "2020-12-31"])})
    >>> _supervisor_at_exit(org, ex, S).tolist()
    ['S2', None, None, 'S1']
    """
    e_sc = staff_codes(org, ex["staff_id"].to_numpy(dtype=object))
    if (e_sc < 0).any():
        return None
    s_sc = staff_codes(org, S["staff_id"].to_numpy(dtype=object))
    order = np.argsort(s_sc, kind="stable")
    srt = s_sc[order]
    lo = np.searchsorted(srt, e_sc, side="left")
    n = np.searchsorted(srt, e_sc, side="right") - lo
    pair = np.repeat(np.arange(len(ex)), n)              # (exit, supervision row) pairs, as the merge makes them
    j = order[np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))]
    day = ex["exit"].to_numpy(dtype="datetime64[ns]")[pair]
    ok = (S["start"].to_numpy(dtype="datetime64[ns]")[j] <= day) & (S["end"].to_numpy(dtype="datetime64[ns]")[j] > day)
    pair, j = pair[ok], j[ok]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    out = np.full(len(ex), None, dtype=object)
    out[pair[first]] = S["supervisor_id"].to_numpy(dtype=object)[j[first]]
    return out


def _window_rows(org: OrgGraph, table: pd.DataFrame, sc: np.ndarray, mi: np.ndarray,
                 allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the monthly ``table`` (``staff_id``, ``month``; one row per staff member and month) for the three
    months before month index ``mi`` of each staff code ``sc``, oldest first, among the ``allowed`` rows:
    ``(rows, found)``, both of shape ``(len(sc), 3)``; ``rows`` is -1 where ``found`` is False.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> cl = org.data.caseload
    >>> sc = staff_codes(org, cl["staff_id"].iloc[[3]])
    >>> rows, found = _window_rows(org, cl, sc, month_index(cl["month"].iloc[[3]]) + 1, None)
    >>> int(rows[0, 2]), found.shape
    (3, (1, 3))
    """
    # the table's rows of those staff, through its staff codes (looked up once per org for a shared table)
    codes = staff_codes(org, table["staff_id"])
    wanted = np.zeros(len(org.staff_frame) + 1, dtype=bool)       # the last slot: unknown staff (code -1)
    wanted[sc[sc >= 0]] = True
    pick = wanted[codes]
    if allowed is not None:
        pick &= allowed
    pick = np.flatnonzero(pick)
    t_sc = codes[pick]
    del codes
    t_mi = month_index(table["month"].to_numpy()[pick])
    rows = _lagged_rows(sc, mi, t_sc, t_mi) if len(sc) else np.full((0, 3), -1, dtype=np.int64)
    found = (rows >= 0) & (sc >= 0)[:, None]
    rows = np.where(found, pick[np.maximum(rows, 0)] if len(pick) else -1, -1)
    return rows, found


def _lagged_rows(sc, mi, t_sc, t_mi) -> np.ndarray:
    """:func:`~orgraph.analyses.hazards.month_rows` of (``sc``, ``mi`` - k) in the (``t_sc``, ``t_mi``) pairs for
    k = 3, 2, 1, as columns: the pairs are put in (staff, month) order once, not once per k.

    Examples
    --------
    >>> _lagged_rows(np.array([2, 0]), np.array([604, 603]), np.array([2, 0, 2]), np.array([603, 600, 601])).tolist()
    [[2, -1, 0], [1, -1, -1]]
    """
    t_sc, t_mi = np.asarray(t_sc, dtype=np.int64), np.asarray(t_mi, dtype=np.int64)
    lo = int(t_mi.min()) if len(t_mi) else 0
    span = int(t_mi.max()) - lo + 1 if len(t_mi) else 1
    if len(t_sc) and span <= 2 ** 24 and int(np.abs(t_sc).max()) < 2 ** 36:
        # (staff, month) as one int64 key: tables listed by staff and month need no sort; others one stable
        # sort, in the order lexsort gives
        key = t_sc * span + (t_mi - lo)
        order = np.arange(len(key)) if (key[1:] > key[:-1]).all() else np.argsort(key, kind="stable")
        key = key[order]
        strict = bool((key[1:] > key[:-1]).all())
        del key
    else:
        order = np.lexsort((t_mi, t_sc)) if len(t_sc) else np.zeros(0, dtype=np.int64)
        ds = np.diff(t_sc[order])
        strict = bool(((ds > 0) | ((ds == 0) & (np.diff(t_mi[order]) > 0))).all())
        del ds
    if not strict:                                                    # repeated pairs: month_rows' own way
        return np.column_stack([month_rows(sc, mi - k, t_sc, t_mi) for k in (3, 2, 1)])
    s_sc, s_mi = t_sc[order], t_mi[order]
    rows = np.column_stack([month_rows(sc, mi - k, s_sc, s_mi) for k in (3, 2, 1)])
    return np.where(rows >= 0, order[np.maximum(rows, 0)] if len(order) else -1, -1)


def _caseload_pct(cl: pd.DataFrame, cut, staff) -> pd.DataFrame:
    """``staff_id``, ``month`` and ``pct`` of the caseload records of ``staff`` before ``cut``: the mid-rank
    percentile (``rank(method="average", pct=True) * 100``) among everyone's caseloads that month.

    Ranks come from one sort of (month, caseload) keys and two binary searches per record wanted, instead
    of ranking every record of the table.

    Examples
    --------
    >>> cl = pd.DataFrame({"staff_id": ["a", "b", "c", "a"], "active_clients": [10, 20, 20, 5],
    ...                    "month": pd.to_datetime(["2024-01-01"] * 3 + ["2024-02-01"])})
    >>> _caseload_pct(cl, pd.Timestamp("2025-01-01"), ["a", "b"])["pct"].tolist()
    [33.33333333333333, 83.33333333333334, 100.0]
    """
    month = cl["month"].to_numpy()
    before = month < np.datetime64(cut)
    want = np.flatnonzero(before & cl["staff_id"].isin(staff).to_numpy())
    out = pd.DataFrame({"staff_id": cl["staff_id"].to_numpy()[want], "month": month[want]})
    out["pct"] = _pct_of_rows(cl, before, want)
    return out


def _pct_of_rows(cl: pd.DataFrame, before: np.ndarray, want: np.ndarray) -> np.ndarray:
    """:func:`_caseload_pct`'s percentile of the caseload rows ``want`` (all of them ``before``) among the
    ``before`` rows of their month."""
    month = cl["month"].to_numpy()
    ac = cl["active_clients"].to_numpy()
    if ac.dtype.kind not in "iu" or (len(ac) and (ac.min() < 0 or ac.max() >= 2 ** 31)):
        inside = cl[before]                            # not whole numbers: rank them all, as pandas does
        pct = inside.groupby("month")["active_clients"].rank(pct=True, method="average") * 100
        return pct.to_numpy()[np.searchsorted(np.flatnonzero(before), want)]
    mi = month_index(month).astype(np.int64)
    counted = _pct_by_counts(mi[before], ac[before], mi[want], ac[want])
    if counted is not None:
        return counted
    shift = np.int64(2 ** 32)
    keys = np.sort(mi[before] * shift + ac[before])
    q, base = mi[want] * shift + ac[want], mi[want] * shift
    first = np.searchsorted(keys, base, side="left")
    size = np.searchsorted(keys, base + shift, side="left") - first
    below = np.searchsorted(keys, q, side="left") - first
    upto = np.searchsorted(keys, q, side="right") - first
    return ((below + 1 + upto) / 2) / size * 100      # mean of the tied ranks below+1 .. upto


def _pct_by_counts(mi: np.ndarray, ac: np.ndarray, w_mi: np.ndarray, w_ac: np.ndarray) -> np.ndarray | None:
    """:func:`_pct_of_rows`' mid-rank percentiles of the caseloads ``w_ac`` in months ``w_mi`` among the caseloads
    ``ac`` of months ``mi`` (non-negative integers), from one table of counts per (month, caseload) instead of
    a sort: the same integer counts, so the same numbers. ``None`` when that table would be large (caseloads
    or months spread too far).

    Examples
    --------
    >>> _pct_by_counts(np.array([5, 5, 5, 6]), np.array([10, 20, 20, 5]), np.array([5, 5, 6]), np.array([10, 20, 5]))
    array([ 33.33333333,  83.33333333, 100.        ])
    """
    if not len(mi) or not len(w_mi):
        return None
    m0 = int(mi.min())
    width = int(ac.max()) + 1
    n_months = int(mi.max()) - m0 + 1
    if n_months * width > 4 * len(mi) + 1_000_000 or int(w_mi.min()) < m0 or int(w_mi.max()) >= m0 + n_months \
            or int(w_ac.max()) >= width:
        return None
    upto_key = np.cumsum(np.bincount((mi - m0) * width + ac, minlength=n_months * width))   # rows with key <= k
    upto_key = np.concatenate([[0], upto_key])                                            # shifted: keys < k
    base = (w_mi - m0) * width
    q = base + w_ac
    first = upto_key[base]
    size = upto_key[base + width] - first
    below = upto_key[q] - first
    upto = upto_key[q + 1] - first
    return ((below + 1 + upto) / 2) / size * 100      # mean of the tied ranks below+1 .. upto


def _count_of(item: tuple) -> int:
    return item[1]


def _count_phrase(k: int, n: int) -> str:
    if k == n:
        return "both" if n == 2 else f"all {n}"
    return f"{k} of {n}"


def _sentences(deps: list[dict], pct: float, dr: float) -> list[str]:
    """What the departures from one seat have in common, as plain sentences.

    Examples
    --------
    >>> deps = [{"supervisor_id": "S-104", "caseload_percentile": 95.0, "documentation_ratio": 0.5,
    ...          "termination_type": "voluntary", "tenure_days": 120}] * 2 + [
    ...         {"supervisor_id": "S-104", "caseload_percentile": 40.0, "documentation_ratio": None,
    ...          "termination_type": "voluntary", "tenure_days": 200}]
    >>> _sentences(deps, 90, 1.0)
    ['all 3 exits reported to S-104', '2 of 3 had caseloads above the 90th percentile', 'all 3 exits were voluntary', 'all 3 left within a year in the seat']
    >>> _sentences(deps[1:], 90, 1.0)[:2]
    ['both exits reported to S-104', 'both exits were voluntary']
    """
    n = len(deps)
    if n < 2:
        return []
    # one pass over the exits; counts keep first-seen order, so max() picks the first of equal counts, as
    # Counter.most_common(1) does
    sup: dict = {}
    tt: dict = {}
    k_case = k_doc = k_year = 0
    for d in deps:
        s = d["supervisor_id"]
        if s:
            sup[s] = sup.get(s, 0) + 1
        c = d["caseload_percentile"]
        if c is not None and c > pct:
            k_case += 1
        r = d["documentation_ratio"]
        if r is not None and r >= dr:
            k_doc += 1
        t = d["termination_type"]
        if t:
            tt[t] = tt.get(t, 0) + 1
        if d["tenure_days"] < 365:
            k_year += 1
    out = []
    if sup:
        s, k = max(sup.items(), key=_count_of)
        if k >= 2:
            out.append(f"{_count_phrase(k, n)} exits reported to {s}")
    if k_case >= 2:
        out.append(f"{_count_phrase(k_case, n)} had caseloads above the {pct:g}th percentile")
    if k_doc >= 2:
        out.append(f"{_count_phrase(k_doc, n)} spent at least {dr:g} documentation hours per session hour")
    if tt:
        t, k = max(tt.items(), key=_count_of)
        if k >= 2 and k * 2 > n:
            out.append(f"{_count_phrase(k, n)} exits were {t}")
    k = k_year
    if k >= 2:
        out.append(f"{_count_phrase(k, n)} left within a year in the seat")
    return out
