"""Continuity of care: clients whose clinician left mid-treatment.

Where the bundle has ``client_assignments.csv``, every staff exit is matched with
the client assignments it cut short. An assignment counts as *cut short* by an
exit when it started on or before the clinician's last day and was still open
or ended on or after the last day, or when it ended within ``handoff_days``
before the last day and the client was handed to another clinician (a transfer
during the notice period; a discharge in those days without a new clinician is
an ordinary discharge). A client is *picked up* when another clinician's
assignment for the same client starts no more than ``handoff_days`` before and
``pickup_days`` after the last day; otherwise the client may have dropped out
of care.

Shares are of distinct clients served: a program's share is the clients cut
short by its exits over the clients its staff served; a year's share is the
clients cut short by exits that year over the clients with an assignment
active in that year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import analysis_cut, as_of_text
from ..plain import plural
from .coverage import MISSING, uncovered_exits
from .panel import jsonable, rounded, setting_of, staff_codes

__all__ = ["continuity_of_care"]


def _distinct(groups: pd.Series, clients: pd.Series) -> pd.Series:
    """Distinct ``clients`` (integer codes) per value of ``groups``, fast for millions of rows."""
    g_codes, g_uniq = pd.factorize(groups, sort=False)
    c = clients.to_numpy().astype(np.int64)
    n = int(c.max()) + 1 if len(c) else 1
    keys = pd.unique(g_codes.astype(np.int64) * n + c)
    counts = np.bincount(keys // n, minlength=len(g_uniq))
    return pd.Series(counts, index=g_uniq)


def continuity_of_care(org, *, handoff_days=None, pickup_days=None, as_of=None) -> Result:
    """Clients whose clinician left mid-treatment: per exit, per program and per year.

    Parameters
    ----------
    org : OrgGraph
    handoff_days : int, optional
        Assignments that ended up to this many days before the exit still count
        as cut short; default ``[continuity] handoff_days`` (14).
    pickup_days : int, optional
        A client is picked up when a new clinician starts within this many days
        after the exit; default ``[continuity] pickup_days`` (30).
    as_of : date, optional
        Only exits on or before this date (default: all).

    Returns
    -------
    Result
        ``table``: ``by_program``. ``extras``: ``by_exit`` (records: ``staff_id``, ``name``, ``program_id``,
        ``exit_date``, ``clients_affected``, ``picked_up``, ``not_picked_up``),
        ``by_program`` (``program_id``, ``exits``, ``exits_with_clients``,
        ``clients_served``, ``clients_affected``, ``share_affected``,
        ``picked_up``), ``by_year`` (``year``, ``exits``, ``clients_served``,
        ``clients_affected``, ``share_affected``), ``totals``
        (``clients_served``, ``clients_affected``, ``share_affected``,
        ``handoffs_observable`` (some client has a second clinician, so a
        handoff can be seen at all), ``picked_up``, ``share_picked_up``: both
        ``None`` when handoffs are not observable).

    Raises
    ------
    AnalysisError
        If the bundle has no client assignments, or ``as_of`` is outside the data.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = continuity_of_care(example_org())
    >>> res.extras["by_exit"][0]["staff_id"], res.extras["by_exit"][0]["clients_affected"]
    ('C1', 2)
    >>> res.extras["totals"]["clients_served"], res.extras["totals"]["share_affected"]
    (4, 0.5)
    """
    hand = int(setting_of(org, "continuity", "handoff_days", handoff_days))
    pick = int(setting_of(org, "continuity", "pickup_days", pickup_days))
    ca = org.data.client_assignments
    if "client_assignments" not in org.data.present and not len(ca):
        raise AnalysisError(MISSING["client_assignments"])
    day_cut = analysis_cut(org, as_of)
    sf = org.staff_frame
    exits = sf[sf["exited"]]
    if as_of is not None:
        exits = exits[exits["exit"] < day_cut]
    # integer codes: clients ("client_id" keeps its code), staff (row in staff_frame)
    sc = staff_codes(org, ca["staff_id"])
    prog_code, programs = pd.factorize(pd.Series(np.append(sf["program_id"].to_numpy(dtype=object), None),
                                                 dtype=object).fillna("(none)"))
    exit_all = sf["exit"].where(sf.index.isin(exits.index)).to_numpy()
    ca = pd.DataFrame({
        "client_id": pd.factorize(ca["client_id"])[0], "staff_id": sc,
        "start_date": pd.to_datetime(ca["start_date"]).to_numpy(),
        "end_date": pd.to_datetime(ca["end_date"]).to_numpy(),
        "exit": np.where(sc >= 0, exit_all[np.maximum(sc, 0)], np.datetime64("NaT")),
        # the program of the person, as an integer code (``programs`` names it): no string per assignment
        "program_id": prog_code[np.where(sc >= 0, sc, len(sf))],
    })
    hd = pd.Timedelta(days=hand)
    cut = ca["exit"].notna() & (ca["start_date"] <= ca["exit"]) & (
        ca["end_date"].isna() | (ca["end_date"] >= ca["exit"] - hd))
    hit = ca[cut].copy()
    # picked up: another clinician's assignment for the same client starting near the exit;
    # an assignment that ended during the hand-off window counts only when the client was handed over
    nxt = hit[["client_id", "staff_id", "exit"]].reset_index().merge(
        ca[["client_id", "staff_id", "start_date"]], on="client_id", suffixes=("", "_next"))
    ok = (nxt["staff_id_next"] != nxt["staff_id"]) & (nxt["start_date"] >= nxt["exit"] - hd) & (
        nxt["start_date"] <= nxt["exit"] + pd.Timedelta(days=pick))
    picked_idx = set(nxt.loc[ok, "index"])
    hit["picked_up"] = hit.index.isin(picked_idx)
    hit = hit[hit["end_date"].isna() | (hit["end_date"] >= hit["exit"]) | hit["picked_up"]]
    # --- per exit
    per = hit.groupby("staff_id").agg(clients_affected=("client_id", "nunique"), picked_up=("picked_up", "sum"))
    per.index = sf.index[per.index.to_numpy()]
    by_exit = []
    info = exits.loc[per.index, ["name", "program_id", "exit"]]
    for sid, n, p, name, prog, ex in zip(per.index, per["clients_affected"], per["picked_up"], info["name"],
                                         info["program_id"], info["exit"]):
        by_exit.append({"staff_id": sid, "name": name, "program_id": jsonable(prog),
                        "exit_date": jsonable(ex), "clients_affected": int(n), "picked_up": int(p),
                        "not_picked_up": int(n) - int(p)})
    by_exit.sort(key=lambda r: (-r["clients_affected"], r["exit_date"], r["staff_id"]))
    # --- per program
    served_p = _distinct(ca["program_id"], ca["client_id"])
    served_p.index = programs[served_p.index.to_numpy()]
    hit_p = hit.groupby("program_id").agg(clients_affected=("client_id", "nunique"),
                                          picked_up=("picked_up", "sum"),
                                          exits_with_clients=("staff_id", "nunique"))
    hit_p.index = programs[hit_p.index.to_numpy()]
    exits_p = exits.groupby("program_id").size()
    by_program = []
    for prog in sorted(set(served_p.index) | set(exits_p.index), key=str):
        served = int(served_p.get(prog, 0))
        aff = int(hit_p["clients_affected"].get(prog, 0))
        by_program.append({"program_id": jsonable(prog), "exits": int(exits_p.get(prog, 0)),
                           "exits_with_clients": int(hit_p["exits_with_clients"].get(prog, 0)),
                           "clients_served": served, "clients_affected": aff,
                           "share_affected": rounded(aff / served) if served else None,
                           "picked_up": int(hit_p["picked_up"].get(prog, 0))})
    by_program.sort(key=lambda r: (-(r["share_affected"] or 0), str(r["program_id"])))
    # --- per year (clients served = assignment active some day of the year)
    last = pd.Timestamp(org.data_end)
    y0 = ca["start_date"].dt.year.to_numpy()
    y1 = ca["end_date"].fillna(last).clip(upper=last).dt.year.to_numpy()
    n = np.maximum(y1 - y0 + 1, 0)
    rep = np.repeat(np.arange(len(ca)), n)
    years = y0[rep] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    served_y = _distinct(pd.Series(years), pd.Series(ca["client_id"].to_numpy()[rep]))
    hit["year"] = hit["exit"].dt.year
    hit_y = hit.groupby("year")["client_id"].nunique()
    exits_y = exits["exit"].dt.year.value_counts()
    by_year = []
    for yr in sorted(set(served_y.index) | set(exits_y.index)):
        served = int(served_y.get(yr, 0))
        aff = int(hit_y.get(yr, 0))
        by_year.append({"year": int(yr), "exits": int(exits_y.get(yr, 0)), "clients_served": served,
                        "clients_affected": aff, "share_affected": rounded(aff / served) if served else None})
    # a handoff can only be seen when some client in the data has assignments with two different clinicians
    observable = bool((ca.groupby("client_id")["staff_id"].nunique() > 1).any()) if len(ca) else False
    served_all = int(len(pd.unique(ca["client_id"].to_numpy())))
    aff_all = int(hit["client_id"].nunique())
    picked_all = int(hit.loc[hit["picked_up"], "client_id"].nunique())
    totals = {"clients_served": served_all, "clients_affected": aff_all,
              "share_affected": rounded(aff_all / served_all) if served_all else None,
              "handoffs_observable": observable, "picked_up": picked_all if observable else None,
              "share_picked_up": rounded(picked_all / aff_all) if aff_all and observable else None}
    untested = []
    gap = uncovered_exits(org, "client_assignments", day_cut, what="their clients")
    if gap:
        untested.append(gap)
    if totals["clients_affected"] and not observable:
        untested.append("No client in client_assignments.csv ever has a second clinician, so whether clients "
                        "found a new clinician after an exit could not be tested.")
    return Result("continuity", as_of_text(day_cut), {"handoff_days": hand, "pickup_days": pick}, by_program,
                  _summary(totals, by_exit, pick),
                  {"by_exit": by_exit, "by_program": by_program, "by_year": by_year, "totals": totals}, untested)


def _summary(totals: dict, by_exit: list, pick: int) -> str:
    if not totals["clients_served"]:
        return "No client assignments to measure."
    share = 100 * (totals["share_affected"] or 0)
    text = (f"{totals['clients_affected']:,} of {plural(totals['clients_served'], 'client')} ({share:.0f}%) had a "
            f"clinician leave mid-treatment, across {plural(len(by_exit), 'staff exit')}.")
    if totals["clients_affected"] and totals["handoffs_observable"]:
        lost = totals["clients_affected"] - totals["picked_up"]
        text += f" {lost} of them had no new clinician within {pick} days."
    elif totals["clients_affected"]:
        text += (" Whether they found a new clinician cannot be told: no client in the data ever has a second "
                 "clinician, so handoffs are not in the export.")
    return text
