"""Titles and footers for each analysis's readable table on the command line.

``caption(result, view) -> (title, footer)``: one function per analysis, read
from the result's numbers. The registry (:mod:`orgraph.registry`) names them.

Examples
--------
>>> from orgraph.analyses._demo import demo_org
>>> from orgraph.analyses.cascades import supervisor_cascades
>>> title, footer = cascades(supervisor_cascades(demo_org()), "table")
>>> title
'Supervisor exits and the team exits in the 180 days after (1 supervisor exit, 1 flagged cascade)'
"""
from __future__ import annotations

from .words import interval, plural

__all__ = ["cascades", "overload", "churn", "caseload", "docburden", "leading", "effects", "departures",
           "continuity", "retention", "risk", "cost"]


def _ci(lo, hi) -> str:
    return interval(lo, hi, 2)


def _rate_line(rr: dict, who: str) -> str:
    if rr.get("exits", 0) + rr.get("reference_exits", 0) == 0:
        return f"Exit rate of {who}: no exits to compare."
    ratio = "n/a (no exits in the comparison group)" if rr["rate_ratio"] is None else f"{rr['rate_ratio']:.2f}"
    return (f"Exit rate of {who}: {rr['exit_rate_per_year'] or 0:.2f} per person-year against "
            f"{rr['reference_exit_rate_per_year'] or 0:.2f} for {rr['reference']}; rate ratio {ratio} "
            f"(95% CI {_ci(rr.get('ci_low'), rr.get('ci_high'))}; {rr['exits']} exits in {rr['person_years']} "
            f"person-years versus {rr['reference_exits']} in {rr['reference_person_years']}).")


def cascades(res, view):
    o, st = res.extras["org"], res.settings
    title = (f"Supervisor exits and the team exits in the {st['window_days']} days after "
             f"({plural(o['supervisor_exits'], 'supervisor exit')}, {plural(o['flagged'], 'flagged cascade')})")
    footer = None
    if o["hazard_ratio"] is not None:
        footer = (f"Org level: staff whose supervisor had left in the previous {st['window_days']} days left at "
                  f"{o['hazard_ratio']:.2f} times the usual rate (95% CI {_ci(o['ci_low'], o['ci_high'])}; "
                  f"{o['exposed_exits']} exits in {o['exposed_person_days']:,.0f} person-days versus "
                  f"{o['baseline_exits']} in {o['baseline_person_days']:,.0f}).")
    return title, footer


def overload(res, view):
    n_over = sum(s["overloaded"] for s in res.table)
    title = f"Overloaded supervisors: {n_over} of {len(res.table)} people who supervise"
    rr = res.extras["rate_ratio"]
    bands = ", ".join(f"{b['band']}: {b['share']:.0%}" for b in res.extras["bands"] if b["share"] is not None)
    footer = f"Direct span (average), share of supervisors per band: {bands or 'n/a'}."
    if rr.get("rate_ratio") is not None:
        footer += (f"\nSupervisees of overloaded supervisors left at {rr['rate_ratio']:.2f} times the rate of "
                   f"others (95% CI {_ci(rr['ci_low'], rr['ci_high'])}; {rr['exits_overloaded']} exits in "
                   f"{rr['person_days_overloaded']:,.0f} person-days versus {rr['exits_other']} in "
                   f"{rr['person_days_other']:,.0f}).")
    return title, footer


def churn(res, view):
    n_f = sum(s["flagged"] for s in res.table)
    n_w = sum(s["watch"] for s in res.table)
    st = res.settings
    title = (f"Churn seats: {n_f} flagged, {n_w} to watch (at least {st['min_holders']} holders in "
             f"{st['window_months']} months; flagged when exits beat the role's usual rate at FDR {st['fdr']:g})")
    return title, None


def caseload(res, view):
    st = res.settings
    titles = {
        "program": "Caseloads by program (all months; cut-off = the org's monthly percentile)",
        "supervisor": "Caseloads of each supervisor's supervisees (all months)",
        "month": "Caseload distribution by month",
        "sustained": (f"People above the {st['percentile']:g}th percentile for {st['consecutive_months']}+ "
                      f"consecutive months"),
    }
    footer = res.summary + "\n" + _rate_line(res.extras["exit_rate"], "people in sustained high caseload")
    return titles[view], footer


def docburden(res, view):
    thr = res.settings["threshold"]
    titles = {"program": "Documentation burden by program (pooled hours)",
              "person": "Documentation burden by person", "month": "Documentation burden by month",
              "high": f"People documenting at least {plural(thr, 'hour')} per session hour"}
    footer = res.summary + "\n" + _rate_line(res.extras["exit_rate"], "people after a high-burden month")
    return titles[view], footer


def leading(res, view):
    titles = {"lag": "Clinician exit rate in program-quarters a given number of quarters after a supervisor exit",
              "program": "By program: clinician exits after a supervisor exit versus otherwise",
              "quarter": "Program-quarters: supervisor exits and clinician exits"}
    return titles[view], res.summary


def effects(res, view):
    x = res.extras
    title = (f"Exit rate ratios, each adjusted for the others and for {', '.join(x['adjusted_for'][:-1])} "
             f"({plural(x['exits'], 'exit')} in {x['person_years']:,.0f} person-years)")
    return title, f"{res.summary}\nMethod: {x['method']}."


def departures(res, view):
    p, x = res.extras["period"], res.extras
    title = (f"Exit rates by group, {p['start']} to {p['end']}: {plural(x['exits'], 'exit')} among "
             f"{plural(x['people'], 'person', 'people')} (each group against everyone else)")
    hidden = sum(x["suppressed"].values())
    footer = res.summary
    if hidden:
        footer += (f"\n{plural(hidden, 'group')} of fewer than {res.settings['min_cell']} people "
                   f"{'is' if hidden == 1 else 'are'} hidden.")
    return title, footer


def continuity(res, view):
    titles = {"program": "Clients whose clinician left mid-treatment, by program",
              "exit": "Clients affected by each staff exit", "year": "Clients affected by year"}
    return titles[view], res.summary


def retention(res, view):
    return "Share of people still here 6, 12 and 24 months on (Kaplan-Meier)", res.summary


def risk(res, view):
    x = res.extras
    weights = "; ".join(
        f"{w['factor'].replace('_', ' ')} x{w['hazard_ratio']:.2f}" + ("" if w["weight"] > 0 else " (weight 0)")
        for w in x["weights"] if w["hazard_ratio"] is not None)
    title = (f"Risk of leaving as of {res.as_of}: {x['with_factors']} of {x['employed']} employed people "
             f"have at least one risk factor")
    footer = (f"{res.summary}\nHazard ratios fitted on {x['fit']['exits']} exits before {res.as_of}: "
              f"{weights or 'none could be fitted'}.\nexit_probability = chance of leaving within "
              f"{res.settings['horizon_days']} days at the person's rate.")
    return title, footer


def cost(res, view):
    x = res.extras
    titles = {"period": f"Cost of exits per {x['period']}",
              "role": f"Cost of one exit, by role kind (as of {res.as_of})",
              "exit": "Each exit and its cost",
              "assumptions": "Assumptions (change them in the [cost] section of orgraph.toml)"}
    footer = f"Total: {plural(x['total_exits'], 'exit')}, ${x['total_cost']:,.0f}."
    if x["notes"]:
        footer += "".join(f"\nNote: {n}" for n in x["notes"])
    return titles[view], footer
