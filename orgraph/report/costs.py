"""What findings cost: dollars for exits beyond the expected, and the finance headlines.

The cost of one exit comes from the cost model
(:func:`orgraph.analyses.cost.cost_model`); this module prices what the
analyses found: a cascade's excess exits, a churn seat's, an exposed group's,
and the bottom-line sentences about what exits cost.

Examples
--------
>>> from orgraph.analyses.cost import cost_model
>>> excess_exit_cost(5, 2.0, "clinician", model=cost_model())
111259.77
"""
from __future__ import annotations

import datetime as dt
import weakref

import pandas as pd

from ..analyses.cost import cost_model, cost_of_exit, turnover_cost
from ..analyses.exposure import iso
from ..graph import OrgGraph
from ..model import ROLE_KINDS
from ..settings import analysis_cut
from .words import money

__all__ = ["excess_exit_cost", "cascade_cost", "churn_seat_cost", "rate_excess_cost", "finance_headlines"]


def _model(model, org):
    return model if model is not None else cost_model(org)


def excess_exit_cost(observed: float, expected: float, role_kind: str = "clinician", *, model: dict | None = None,
                     org: OrgGraph | None = None) -> float:
    """Dollar cost of exits beyond those expected: ``max(observed - expected, 0)`` x cost of one exit.

    Parameters
    ----------
    observed, expected : float
        Exits seen, and exits expected from the org's baseline rate.
    role_kind : str, default "clinician"
    model : dict, optional
        A :func:`cost_model` result (pass it when costing many findings).
    org : OrgGraph, optional
        Used to build the model when ``model`` is not given.

    Returns
    -------
    float
        Dollars, rounded to cents; 0.0 when there is no excess.

    Examples
    --------
    >>> excess_exit_cost(1, 2.5, "clinician")
    0.0
    >>> excess_exit_cost(3, 1.0, "supervisor")
    57538.46
    """
    m = _model(model, org)
    excess = max(float(observed) - float(expected), 0.0)
    rk = role_kind if role_kind in ROLE_KINDS else "other"
    return round(excess * float(m["role_kinds"][rk]["total"]), 2)


#: The staff frame last looked up in (a weak reference) and its row of each ``staff_id`` and columns.
_LOOKUP: list = [None, None]


def _staff_columns(sf):
    """``({staff_id: row}, role_kind, annual_salary, fte)`` of the staff frame ``sf``, built once per frame."""
    ref, cols = _LOOKUP
    if ref is None or ref() is not sf:
        cols = ({k: i for i, k in enumerate(sf.index)}, sf["role_kind"].to_numpy(),
                sf["annual_salary"].to_numpy(), sf["fte"].to_numpy())
        _LOOKUP[:] = [weakref.ref(sf), cols]
    return cols


def _role_of(org, staff_id):
    """Role kind, salary and FTE of a person, read from the staff frame (which holds every person of the staff
    table); someone it does not hold counts as a full-time clinician of unknown salary."""
    if org is None:
        return "clinician", None, 1.0
    sf = org.staff_frame
    if not sf.index.is_unique:                  # one row a person, as staff_frame keeps it; else ask pandas
        if staff_id is None or staff_id not in sf.index:
            return "clinician", None, 1.0
        return str(sf.at[staff_id, "role_kind"]), sf.at[staff_id, "annual_salary"], sf.at[staff_id, "fte"]
    row, role, salary, fte = _staff_columns(sf)
    i = row.get(staff_id)
    if i is None:
        return "clinician", None, 1.0
    return str(role[i]), salary[i], fte[i]


def cascade_cost(cascade: dict, *, model: dict | None = None, org: OrgGraph | None = None) -> dict:
    """Cost of a supervisor-exit cascade (one record of the cascade analysis).

    Parameters
    ----------
    cascade : dict
        Needs ``observed``, ``expected`` and ``departures`` (each with
        ``staff_id``); ``supervisor_id`` and ``children`` are used when present.
    model : dict, optional
        A :func:`cost_model` result.
    org : OrgGraph, optional
        Gives each departure's role kind and salary (else costed as clinicians).

    Returns
    -------
    dict
        ``departures_cost`` (every cohort exit), ``excess_cost`` (the exits
        beyond expected, at the cohort's average cost per exit),
        ``supervisor_cost`` (the supervisor's own exit), ``children_excess_cost``
        (nested cascades, recursively) and ``total_excess_cost`` (excess plus
        children): the figure findings are ranked by.

    Examples
    --------
    >>> c = {"supervisor_id": "S9", "observed": 3, "expected": 0.5,
    ...      "departures": [{"staff_id": "A"}, {"staff_id": "B"}, {"staff_id": "C"}], "children": []}
    >>> r = cascade_cost(c)
    >>> r["departures_cost"], r["excess_cost"], r["total_excess_cost"]
    (111259.77, 92716.47, 92716.47)
    """
    m = _model(model, org)
    costs = []
    for dep in cascade.get("departures") or []:
        rk, sal, fte = _role_of(org, dep.get("staff_id"))
        costs.append(cost_of_exit(m, rk, annual_salary=sal, fte=fte)["total"])
    observed = float(cascade.get("observed", len(costs)))
    expected = float(cascade.get("expected") or 0.0)
    avg = (sum(costs) / len(costs)) if costs else float(m["role_kinds"]["clinician"]["total"])
    excess = max(observed - expected, 0.0) * avg
    sup = cascade.get("supervisor_id")
    sup_cost = None
    if sup is not None:
        rk, sal, fte = _role_of(org, sup)
        rk = rk if org is not None else "supervisor"
        sup_cost = cost_of_exit(m, rk, annual_salary=sal, fte=fte)["total"]
    children = sum(cascade_cost(ch, model=m, org=org)["total_excess_cost"] for ch in cascade.get("children") or [])
    return {
        "departures_cost": round(sum(costs), 2),
        "excess_exits": round(max(observed - expected, 0.0), 3),
        "excess_cost": round(excess, 2),
        "supervisor_cost": sup_cost,
        "children_excess_cost": round(children, 2),
        "total_excess_cost": round(excess + children, 2),
    }


def churn_seat_cost(seat: dict, *, model: dict | None = None, org: OrgGraph | None = None,
                    role_kind: str | None = None) -> dict:
    """Cost of a churn seat (one record of the churn analysis).

    Parameters
    ----------
    seat : dict
        Needs ``exits``; ``expected`` (exits expected from the baseline rate),
        ``role_kind`` and ``position_id`` are used when present.
    model, org : optional
        As in :func:`cascade_cost`; ``org`` gives the seat's role kind.
    role_kind : str, optional
        Overrides the seat's role kind.

    Returns
    -------
    dict
        ``exits_cost`` (every exit from the seat), ``excess_cost`` (exits beyond
        ``expected``; equal to ``exits_cost`` when ``expected`` is missing) and
        ``cost_per_exit``.

    Examples
    --------
    >>> churn_seat_cost({"position_id": "P1", "exits": 4, "expected": 1.5})["excess_cost"]
    92716.47
    """
    m = _model(model, org)
    rk = role_kind or seat.get("role_kind")
    if rk is None:
        pid = seat.get("position_id")
        kinds = org.by_id("positions", "role_kind") if org is not None else {}
        rk = kinds.get(pid, "clinician")
    per = float(cost_of_exit(m, rk)["total"])
    exits = float(seat.get("exits") or 0)
    expected = seat.get("expected")
    excess = exits if expected is None else max(exits - float(expected), 0.0)
    return {"role_kind": rk, "cost_per_exit": round(per, 2), "exits_cost": round(exits * per, 2),
            "excess_cost": round(excess * per, 2)}


def rate_excess_cost(events_a: int, time_a: float, events_b: int, time_b: float, role_kind: str = "clinician", *,
                     model: dict | None = None, org: OrgGraph | None = None) -> dict:
    """Cost of the exits in an exposed group beyond what the comparison group's rate predicts.

    For rate-ratio findings (supervisees of overloaded supervisors, sustained
    high caseload, high documentation burden): expected exits in the exposed
    group are ``events_b / time_b x time_a``; the excess is costed with
    :func:`excess_exit_cost`.

    Parameters
    ----------
    events_a, time_a : int, float
        Exits and person-time in the exposed group.
    events_b, time_b : int, float
        Exits and person-time (same unit) in the comparison group.
    role_kind : str, default "clinician"
    model, org : optional
        As in :func:`excess_exit_cost`.

    Returns
    -------
    dict
        ``observed``, ``expected``, ``excess_exits``, ``excess_cost``.

    Examples
    --------
    >>> rate_excess_cost(12, 3650, 20, 14600)   # 12 exits where 5 were expected
    {'observed': 12, 'expected': 5.0, 'excess_exits': 7.0, 'excess_cost': 259606.13}
    """
    expected = (float(events_b) / float(time_b) * float(time_a)) if time_b and time_b > 0 else 0.0
    return {"observed": int(events_a), "expected": round(expected, 4),
            "excess_exits": round(max(float(events_a) - expected, 0.0), 4),
            "excess_cost": excess_exit_cost(events_a, expected, role_kind, model=model, org=org)}


def _cost_as_of(org: OrgGraph, cost, last: pd.Timestamp):
    """``cost`` when it is :func:`~orgraph.analyses.cost.turnover_cost` as of ``last``, else that computed
    (its exits and model do not depend on the period it adds them up by)."""
    if cost is not None and cost.as_of == iso(last):
        return cost
    return turnover_cost(org, as_of=last.date(), period="month")


def finance_headlines(org: OrgGraph, *, as_of=None, min_cell: int | None = None, cost=None) -> list[str]:
    """Plain-language sentences about what exits cost, for the audit report and snapshot pack.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
    min_cell : int, optional
        Anonymized output: counts of 1 to ``min_cell - 1`` exits read "fewer than ``min_cell``" and the total
        is rounded to tens (so it does not give a hidden count back).
    cost : Result, optional
        :func:`~orgraph.analyses.cost.turnover_cost` as of the same day, when the caller has it (the audit
        does): its exits and cost model are read, not computed again.

    Returns
    -------
    list of str
        The cost of exits over the last 12 months, the program that carried
        the largest share of it (when it carried at least 15%), and what one
        clinician exit costs and why. (How caseload relates to exits is a
        finding, stated only when the claims gate states it.)

    Examples
    --------
    >>> from orgraph.model import OrgData, Staff, Position, Program, Assignment
    >>> d = dt.date
    >>> data = OrgData(staff={"A": Staff("A", "A", "LPC", d(2020, 1, 1), d(2020, 3, 31), "voluntary")},
    ...     programs={"OP": Program("OP", "OP", "op")},
    ...     positions={"P": Position("P", "Therapist", "OP", "clinician")},
    ...     assignments=[Assignment("A", "P", d(2020, 1, 1), d(2020, 3, 31))])
    >>> print(finance_headlines(OrgGraph(data, data_end=d(2020, 12, 31)))[0])
    The 1 staff exit in the 12 months to 2020-12-31 cost an estimated $37,000 (1 clinician).
    >>> print(finance_headlines(OrgGraph(data, data_end=d(2020, 12, 31)), min_cell=5)[0])
    Fewer than 5 staff exits in the 12 months to 2020-12-31 cost an estimated $37,000 (fewer than 5 clinicians).
    """
    cut = analysis_cut(org, as_of)
    last = cut - pd.Timedelta(days=1)
    res = _cost_as_of(org, cost, last)
    first = (last - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date().isoformat()
    recent = [e for e in res.extras["exits"] if e["exit_date"] >= first]   # ISO days compare as text
    lines = []
    n = len(recent)
    total = sum(e["cost"] for e in recent)
    by_rk = {}
    for e in recent:
        by_rk[e["role_kind"]] = by_rk.get(e["role_kind"], 0) + 1
    small = min_cell is not None

    def count(k: int, word: str) -> str:
        if small and 0 < k < min_cell:
            return f"fewer than {min_cell} {word}s"
        return f"{k:,} {word}{'s' if k != 1 else ''}"

    parts = ", ".join(count(k, rk) for rk, k in sorted(by_rk.items(), key=lambda t: -t[1]))
    word = "exit" if n == 1 else "exits"
    if not n:
        lines.append(f"No staff left in the 12 months to {iso(last)}.")
    elif small:
        lead = f"Fewer than {min_cell} staff exits" if n < min_cell else f"About {int(round(n, -1)):,} staff exits"
        lines.append(f"{lead} in the 12 months to {iso(last)} cost an estimated {money(total)} ({parts}).")
    else:
        lines.append(f"The {n:,} staff {word} in the 12 months to {iso(last)} cost an estimated {money(total)} "
                     f"({parts}).")
        progs: dict = {}
        for e in recent:
            k = e["program_id"]
            if k is not None:
                n_c = progs.setdefault(k, [0, 0.0])
                n_c[0] += 1
                n_c[1] += e["cost"]
        top, (k_n, k_cost) = max(progs.items(), key=lambda kv: kv[1][1]) if progs else (None, (0, 0.0))
        if len(progs) > 1 and total > 0 and k_cost / total >= 0.15:   # say it only when one program stands out
            pname = org.data.programs[top].name if top in org.data.programs else top
            lines.append(f"{pname} carried the largest share: {count(k_n, 'exit')}, "
                         f"{money(k_cost)} ({k_cost / total:.0%} of the total).")
    c = res.extras["model"]["role_kinds"]["clinician"]
    v = res.extras["model"]["vacancy"]["clinician"]
    vsrc = "this org's average" if v["source"] == "measured" else "an assumed"
    lines.append(
        f"One clinician exit costs about {money(c['total'])} ({c['share_of_salary']:.0%} of salary): recruiting "
        f"{money(c['recruiting'])}, onboarding {money(c['onboarding'])}, {vsrc} {v['days']:.0f} days of empty "
        f"seat {money(c['vacancy'])}, and {res.extras['model']['settings']['ramp_months']:g} months of ramp-up "
        f"{money(c['ramp_up'])}.")
    if v["source"] != "measured" and v.get("inferred_exits"):
        lines.append(f"The empty-seat days are assumed, not measured: {v['reason']}.")
    return lines
