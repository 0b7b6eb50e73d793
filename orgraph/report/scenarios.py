"""What-if scenarios in dollars: more census, or a supervisor leaving.

:func:`census_scenario` turns added census (and FTE) into a new caseload per
FTE, expected extra clinician exits a year (from
:func:`orgraph.analyses.hazards.caseload_hazard`), their cost, the revenue the
added census brings, and the break-even FTE. :func:`supervisor_leaves_scenario`
prices a supervisor's departure from the cascade analysis's org-level hazard
ratio.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analyses.cascades import supervisor_cascades
from ..analyses.cost import cost_model, cost_of_exit
from ..analyses.exposure import assignments, iso, people, supervision
from ..analyses.hazards import caseload_hazard, exit_rates, scenario_settings
from ..errors import AnalysisError
from ..graph import OrgGraph
from ..settings import analysis_cut
from .words import money

__all__ = ["census_scenario", "supervisor_leaves_scenario"]


def _program_state(org, program, cut, s, cs):
    day = cut - pd.Timedelta(days=1)
    af = assignments(org, cut)
    act = af[(af["start"] <= day) & (af["end"] > day) & (af["program_id"] == program)
             & (af["role_kind"] == "clinician")]
    heads = sorted(set(act["staff_id"]))
    if not heads:
        raise AnalysisError(f"program {program!r} has no clinicians on {iso(day)}, so there is no caseload to add to")
    sf = org.staff_frame.loc[heads]
    fte_each = sf["fte"].astype(float).where(lambda f: f > 0, 1.0)
    fte = float(fte_each.sum())
    cl = org.data.caseload
    cl = cl[cl["month"] <= day]
    if not len(cl):
        raise AnalysisError(f"caseload.csv has no months on or before {iso(day)}")
    month = cl["month"].max()
    census = float(cl[(cl["month"] == month) & cl["staff_id"].isin(heads)]["active_clients"].sum())
    capacity = float(cs["sessions_per_day"]) * float(cs["billable_days"]) / 12.0   # sessions per FTE-month
    util, util_src = float(cs["utilization"]), "assumed: [cost] utilization"
    doc = org.data.documentation
    if len(doc):
        d = doc[(doc["month"] == month) & doc["staff_id"].isin(heads)]
        if len(d) and capacity > 0:
            measured = float(d["session_hours"].sum()) / float(s["session_length_hours"]) / (fte * capacity)
            if 0 < measured <= 1.5:
                util, util_src = measured, f"measured from documentation.csv for {month:%Y-%m}"
    salaries = sf["annual_salary"].astype(float)
    return {"day": day, "heads": heads, "fte": fte, "fte_each": fte_each, "salaries": salaries,
            "census": census, "month": month, "utilization": util, "utilization_source": util_src,
            "capacity": capacity}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _n(x: float) -> str:
    """A count of exits for a sentence: one decimal, two when below 0.1."""
    return f"{x:.1f}" if abs(x) >= 0.095 else f"{x:.2f}"


def _f(x, d=2):
    return None if x is None or not math.isfinite(x) else round(float(x), d)


def census_scenario(org: OrgGraph, *, program: str, add_census: float, add_fte: float = 0.0, as_of=None) -> dict:
    """What adding census (and clinical FTE) to a program does to exits, cost and revenue.

    Parameters
    ----------
    org : OrgGraph
        Needs caseload.csv; documentation.csv, when present, gives the measured utilization.
    program : str
        Program id (or its exact name, in any case).
    add_census : float
        Active clients added.
    add_fte : float, default 0
        Clinical FTE added.
    as_of : date, optional
        The program's state on this day, and history up to it.

    Returns
    -------
    dict
        ``current`` (census, clinical FTE, clinicians, caseload per FTE,
        utilization and its source, exit rate per person-year and its source),
        ``relation`` (see :func:`caseload_hazard`), ``scenario`` (new caseload per
        FTE and utilization, ``extra_exits`` a year with ``extra_exits_low``/
        ``high``, ``turnover_cost``, ``revenue_gain``, ``offset_share``,
        ``added_salary``, ``net_gain``), ``break_even_fte`` (FTE to add so caseload
        per FTE, and so the exit hazard, stays where it is), ``options`` (the same
        for a range of added FTE), ``sentence`` and ``notes``.

    Raises
    ------
    AnalysisError
        Unknown program, no clinicians, no caseload data or a negative FTE.

    Notes
    -----
    With baseline exit rate ``r0`` (the program's clinician exits per
    person-year over ``[scenario] baseline_months``, or the org's when the
    program had fewer than ``min_program_exits``), ``n`` clinicians on ``F``
    FTE and census ``C``: caseload per FTE goes from ``x0 = C/F`` to
    ``x1 = (C + add)/(F + add_fte)``; the clinicians (``n (F + add_fte)/F``) then
    leave at ``r0 exp(b (x1 - x0))``, and the extra exits are
    ``n1 r0 (exp(b (x1 - x0)) - 1)`` -- exits beyond what the same staff would have
    at today's caseload. Revenue per client a year is
    ``sessions_per_day x billable_days x utilization x revenue_per_session / x0``.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> census_scenario(demo_org(), program="OP", add_census=10)
    Traceback (most recent call last):
    ...
    orgraph.errors.AnalysisError: census scenarios need caseload.csv (active clients per staff member per month)
    """
    if program not in org.data.programs:       # accept a program's name too
        by_name = [p.program_id for p in org.data.programs.values() if p.name.casefold() == str(program).casefold()]
        program = by_name[0] if len(by_name) == 1 else program
    if program not in org.data.programs:
        known = ", ".join(sorted(org.data.programs)) or "none"
        raise AnalysisError(f"unknown program {program!r}; programs in the data: {known}")
    if not len(org.data.caseload):
        raise AnalysisError("census scenarios need caseload.csv (active clients per staff member per month)")
    add_census, add_fte = float(add_census), float(add_fte or 0.0)
    if not (math.isfinite(add_census) and math.isfinite(add_fte)) or add_fte < 0 or add_census < 0 \
            or add_census > 1e6 or add_fte > 1e5:
        raise AnalysisError("--add-census and --add-fte must be numbers from 0 up to 1,000,000 clients "
                            "and 100,000 FTE")
    s = scenario_settings(org)
    model = cost_model(org, as_of=as_of)
    cs = model["settings"]
    cut = analysis_cut(org, as_of)
    st = _program_state(org, program, cut, s, cs)
    name = org.data.programs[program].name or program
    fte0, census0, n0 = st["fte"], st["census"], len(st["heads"])
    if census0 <= 0:
        raise AnalysisError(f"program {program!r} has no active clients in caseload.csv for {st['month']:%Y-%m}")
    x0 = census0 / fte0
    notes = []
    # baseline exit rate
    pr = exit_rates(org, as_of=as_of, program=program)["clinician"]
    org_r = exit_rates(org, as_of=as_of)["clinician"]
    if pr["exits"] >= int(s["min_program_exits"]) and pr["rate"]:
        r0, r_src = pr["rate"], f"{name}'s clinicians, last {s['baseline_months']} months"
    elif org_r["rate"]:
        r0, r_src = org_r["rate"], (f"all clinicians, last {s['baseline_months']} months; {name} had "
                                    f"{_plural(pr['exits'], 'exit')}, too few for its own rate")
    else:
        r0, r_src = 0.0, "no clinician exits in the window"
    rel = caseload_hazard(org, as_of=as_of)
    u = rel["used"]
    b = u["coef_per_client"]
    # cost of one clinician exit in this program (own salaries where known)
    costs = [cost_of_exit(model, "clinician", annual_salary=st["salaries"].get(h), fte=st["fte_each"][h])["total"]
             for h in st["heads"]]
    per_exit = float(np.mean(costs))
    sal = st["salaries"].dropna()
    sal_fte = float((sal / st["fte_each"][sal.index]).mean()) if len(sal) else float(cs["salary_clinician"])
    util0 = st["utilization"]
    rev_per_client = float(cs["sessions_per_day"]) * float(cs["billable_days"]) * util0 \
        * float(cs["revenue_per_session"]) / x0
    revenue_gain = add_census * rev_per_client

    def outcome(f: float) -> dict:
        fte1 = fte0 + f
        x1 = (census0 + add_census) / fte1
        n1 = n0 * fte1 / fte0
        extra = n1 * r0 * (math.exp(b * (x1 - x0)) - 1.0)
        lo = hi = None
        if u["coef_low"] is not None:
            ends = [n1 * r0 * (math.exp(c * (x1 - x0)) - 1.0) for c in (u["coef_low"], u["coef_high"])]
            lo, hi = min(ends), max(ends)
        tc = extra * per_exit
        added_salary = f * sal_fte
        return {"add_fte": round(f, 2), "caseload_per_fte": _f(x1), "utilization": _f(util0 * x1 / x0, 3),
                "extra_exits": _f(extra, 3), "extra_exits_low": _f(lo, 3), "extra_exits_high": _f(hi, 3),
                "turnover_cost": _f(tc), "added_salary": _f(added_salary), "revenue_gain": _f(revenue_gain),
                "net_gain": _f(revenue_gain - tc - added_salary)}

    sc = outcome(add_fte)
    sc["offset_share"] = _f(sc["turnover_cost"] / revenue_gain, 4) if revenue_gain > 0 else None
    hold = add_census / x0 if b > 0 else 0.0
    be = outcome(hold)
    steps = ({k * 0.5 for k in range(1, int(math.ceil(hold * 2)) + 1)} if hold <= 10
             else {round(hold * k / 8, 1) for k in range(1, 8)})
    grid = sorted({0.0, add_fte, hold} | {f for f in steps if abs(f - hold) > 0.05})
    options = [outcome(f) for f in grid]
    if util0 > 1.0:
        notes.append(f"{name}'s clinicians already deliver {util0:.0%} of the sessions the assumed schedule holds "
                     f"({cs['sessions_per_day']:g} a day, {cs['billable_days']} days a year); check [cost] "
                     f"sessions_per_day and [scenario] session_length_hours.")
    elif sc["utilization"] and sc["utilization"] > 1.0:
        notes.append(f"At {sc['caseload_per_fte']:.1f} clients per FTE the clinicians would need to deliver "
                     f"{sc['utilization']:.0%} of their scheduled sessions; the revenue gain assumes they can.")
    if st["day"] - st["month"] > pd.Timedelta(days=62):
        notes.append(f"The latest caseload month ({st['month']:%Y-%m}) is well before {iso(st['day'])}.")
    if not rel["fitted"]:
        notes.append(rel["sentence"])
    # sentence
    how = "without added FTE" if add_fte == 0 else f"with {add_fte:g} added clinical FTE"
    lead = (f"At current utilization ({util0:.0%}), adding {add_census:g} census to {name} {how}")
    extra = sc["extra_exits"] or 0.0
    if extra > 0.005:
        sentence = (f"{lead} raises expected clinician exits by {_n(extra)} a year, costing "
                    f"{money(sc['turnover_cost'])}, which offsets {sc['offset_share']:.0%} of the "
                    f"{money(revenue_gain)} revenue gain.")
    elif extra < -0.005:
        sentence = (f"{lead} lowers expected clinician exits by {_n(-extra)} a year, saving "
                    f"{money(-sc['turnover_cost'])}, on top of the {money(revenue_gain)} revenue gain.")
    else:
        sentence = f"{lead} leaves expected clinician exits unchanged; the revenue gain is {money(revenue_gain)}."
    if sc["extra_exits_low"] is not None and abs(extra) > 0.005:
        sentence += (f" (95% interval {_n(sc['extra_exits_low'])} to {_n(sc['extra_exits_high'])} extra exits; "
                     f"relation fitted on this org's history.)")
    elif abs(extra) > 0.005:
        sentence += " (Relation: documented default estimate, not fitted on this org.)"
    if hold > 0 and extra > 0.005:
        sentence += (f" Adding {hold:.1f} clinical FTE keeps caseload at today's {x0:.1f} per FTE and exits "
                     f"where they are; at {money(sal_fte)} per FTE that costs {money(be['added_salary'])} a year, "
                     f"leaving a net gain of {money(be['net_gain'])}.")
    current = {
        "program_id": program, "program": name, "as_of": iso(st["day"]), "caseload_month": f"{st['month']:%Y-%m}",
        "census": census0, "clinicians": n0, "clinical_fte": round(fte0, 2), "caseload_per_fte": round(x0, 2),
        "utilization": round(util0, 3), "utilization_source": st["utilization_source"],
        "exit_rate_per_year": _f(r0, 4), "exit_rate_source": r_src,
        "expected_exits_per_year": _f(n0 * r0, 3), "cost_per_clinician_exit": round(per_exit, 2),
        "revenue_per_client_year": round(rev_per_client, 2),
    }
    return {"current": current, "relation": rel,
            "scenario": {"add_census": add_census, **sc},
            "break_even_fte": round(hold, 2), "break_even": be, "options": options,
            "sentence": sentence, "notes": notes}


def _org_hazard_ratio(org, as_of, s) -> dict:
    out = None
    o = supervisor_cascades(org, as_of=as_of).extras.get("org") or {}
    hr = o.get("hazard_ratio")
    if hr is not None and math.isfinite(hr) and o.get("exposed_exits", 1) > 0:
        out = {"hazard_ratio": hr, "ci_low": o.get("ci_low"), "ci_high": o.get("ci_high"),
               "source": "this org's history (cascade analysis: " + str(o.get("method", "rate ratio")) + ")",
               "baseline_hazard_per_year": o.get("baseline_hazard_per_year") or {}}
    if out is None:
        out = {"hazard_ratio": float(s["supervisor_exit_hazard_ratio"]), "ci_low": None, "ci_high": None,
               "source": "documented default estimate ([scenario] supervisor_exit_hazard_ratio), not fitted on "
                         "this org", "baseline_hazard_per_year": {}}
    return out


def supervisor_leaves_scenario(org: OrgGraph, *, supervisor: str, as_of=None) -> dict:
    """Expected extra exits and their cost if supervisor ``supervisor`` leaves.

    Parameters
    ----------
    org : OrgGraph
    supervisor : str
        Staff id of a supervisor employed on ``as_of``.
    as_of : date, optional
        Default: the last day of data.

    Returns
    -------
    dict
        ``supervisor_id``, ``name``, ``as_of``, ``window_days``, ``hazard_ratio``
        (with ``ci_low``, ``ci_high`` and ``source``), ``supervisees`` (one row
        each: ``staff_id, role_kind, baseline_rate, expected_exits,
        extra_exits, extra_cost``), ``extra_exits`` (with ``_low``/``_high``),
        ``extra_cost``, ``supervisor_cost`` (replacing the supervisor),
        ``total_cost`` and a ``sentence``.

    Raises
    ------
    AnalysisError
        Unknown staff id, or not employed on ``as_of``.

    Notes
    -----
    Supervisee *i* with role-kind baseline hazard ``r_i`` a year is expected
    to leave ``r_i W/365`` times in the ``W``-day window anyway; with the
    org-level hazard ratio ``HR`` after a supervisor's exit the extra is
    ``r_i W/365 (HR - 1)``.

    Examples
    --------
    >>> from orgraph.analyses._demo import demo_org
    >>> r = supervisor_leaves_scenario(demo_org(), supervisor="S2")
    >>> len(r["supervisees"]), r["hazard_ratio"]["source"].startswith("this org")
    (5, True)
    """
    if supervisor not in org.data.staff:
        raise AnalysisError(f"unknown staff id {supervisor!r}")
    s = scenario_settings(org)
    cut = analysis_cut(org, as_of)
    day = cut - pd.Timedelta(days=1)
    if not org.is_employed(supervisor, day.date()):
        raise AnalysisError(f"{supervisor} is not employed on {iso(day)}")
    sv = supervision(org, cut)
    team = sorted(set(sv[(sv["supervisor_id"] == supervisor) & (sv["start"] <= day) & (sv["end"] > day)]["staff_id"]))
    W = int(s["_cascade_window"])
    hr = _org_hazard_ratio(org, as_of, s)
    rates = exit_rates(org, as_of=as_of)
    model = cost_model(org, as_of=as_of)
    sf = org.staff_frame
    ppl = people(org, cut)
    rows = []
    tot = lo_t = hi_t = cost_t = 0.0
    for sid in team:
        rk = str(ppl.at[sid, "role_kind"]) if sid in ppl.index else "other"
        r = hr["baseline_hazard_per_year"].get(rk)
        if r is None:
            r = rates.get(rk, {}).get("rate") or 0.0
        base = r * W / 365.25
        extra = base * (hr["hazard_ratio"] - 1.0)
        c = cost_of_exit(model, rk, annual_salary=sf.at[sid, "annual_salary"], fte=sf.at[sid, "fte"])["total"]
        rows.append({"staff_id": sid, "role_kind": rk, "baseline_rate": _f(r, 4), "expected_exits": _f(base, 3),
                     "extra_exits": _f(extra, 3), "extra_cost": _f(extra * c)})
        tot += extra
        cost_t += extra * c
        if hr["ci_low"] is not None:
            lo_t += base * (hr["ci_low"] - 1.0)
            hi_t += base * (hr["ci_high"] - 1.0) if hr["ci_high"] is not None else float("inf")
    rk_s = str(ppl.at[supervisor, "role_kind"]) if supervisor in ppl.index else "supervisor"
    sup_cost = cost_of_exit(model, rk_s, annual_salary=sf.at[supervisor, "annual_salary"],
                            fte=sf.at[supervisor, "fte"])["total"]
    name = org.data.staff[supervisor].name
    ci = ""
    if hr["ci_low"] is not None:
        ci = f" (95% interval {lo_t:.1f} to {hi_t:.1f})" if math.isfinite(hi_t) else f" (at least {lo_t:.1f})"
    label = "" if hr["source"].startswith("this org") else " This uses a documented default, not this org's history."
    if team:
        who = "the person they supervise is" if len(team) == 1 else f"the {len(team)} people they supervise are"
        sentence = (f"If {supervisor} ({name}) leaves, {who} expected to have "
                    f"{tot:.1f} more exits than usual within {W} days{ci}, costing about {money(cost_t)}, on top of "
                    f"{money(sup_cost)} to replace {supervisor}.{label}")
    else:
        sentence = (f"{supervisor} ({name}) supervises no one on {iso(day)}; replacing them would cost about "
                    f"{money(sup_cost)}.")
    return {
        "supervisor_id": supervisor, "name": name, "as_of": iso(day), "window_days": W,
        "hazard_ratio": {k: v for k, v in hr.items() if k != "baseline_hazard_per_year"},
        "supervisees": rows,
        "extra_exits": _f(tot, 3), "extra_exits_low": _f(lo_t, 3) if hr["ci_low"] is not None else None,
        "extra_exits_high": _f(hi_t, 3) if hr["ci_low"] is not None else None,
        "extra_cost": _f(cost_t), "supervisor_cost": sup_cost, "total_cost": _f(cost_t + sup_cost),
        "sentence": sentence,
    }
