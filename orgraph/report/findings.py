"""Findings: what each analysis found, in sentences a COO can repeat, with dollars and certainty.

Each ``*_findings(result, ctx)`` function reads one analysis's
:class:`~orgraph.result.Result` and returns finding dicts (``kind``,
``headline``, ``evidence``, ``estimated_cost``, ``certainty``, ``p_value``,
``ratio``, ``ci_low``, ``ci_high``, ``subjects``, ``score``). Every sentence is
written from the numbers it states. :class:`Context` carries what all of them
share: the org, the names (or pseudonyms) to use and the cost model.

Examples
--------
>>> certainty(0.001), certainty(0.2)
('high', 'low')
"""
from __future__ import annotations

from dataclasses import dataclass

from ..graph import OrgGraph
from ..privacy import Pseudonymizer
from . import costs
from .words import interval, money, p_text

__all__ = ["Context", "Names", "certainty", "finding", "cascade_findings", "overload_findings", "churn_findings",
           "caseload_findings", "documentation_findings", "leading_findings", "departure_findings",
           "continuity_findings"]

_WEIGHT = {"high": 1.0, "moderate": 0.6, "low": 0.3, "descriptive": 0.5}


def certainty(p_value: float | None, ci_low: float | None = None) -> str:
    """How sure a finding is, in words, from its (adjusted) p-value and interval.

    ``high``: p < 0.01; ``moderate``: p < 0.05; ``low``: otherwise; an interval
    whose lower end is above 1 is at least ``moderate``.

    Examples
    --------
    >>> certainty(0.001), certainty(0.03), certainty(0.2), certainty(0.2, ci_low=1.1), certainty(None)
    ('high', 'moderate', 'low', 'moderate', 'descriptive')
    """
    if p_value is None:
        return "descriptive"
    if p_value < 0.01:
        return "high"
    if p_value < 0.05 or (ci_low is not None and ci_low > 1):
        return "moderate"
    return "low"


def _money(x: float | None) -> str:
    return "n/a" if x is None else money(x)


def _ci(lo, hi) -> str:
    if lo is None or hi is None:
        return "interval not available"
    return f"95% CI {interval(lo, hi)}"


_p = p_text


class Names:
    """Staff, seat and program names for sentences; pseudonyms when anonymizing."""

    def __init__(self, org: OrgGraph, anonymize: bool = False, key: str | None = None):
        self.org = org
        self.pseudo = Pseudonymizer(key) if anonymize else None

    def staff(self, sid: str) -> str:
        if self.pseudo is not None:
            return self.pseudo(sid)
        s = self.org.data.staff.get(sid)
        return f"{s.name} ({sid})" if s and s.name else str(sid)

    def program(self, pid: str | None) -> str:
        p = self.org.data.programs.get(pid) if pid else None
        return p.name if p else (pid or "no program")

    def seat(self, pid: str) -> str:
        p = self.org.data.positions.get(pid)
        return f"{p.title} seat {pid}" if p else f"seat {pid}"


@dataclass(frozen=True)
class Context:
    """What every findings function shares: the org, names for sentences and the cost model."""

    org: OrgGraph
    names: "Names"
    model: dict



def finding(kind, headline, evidence, *, cost=None, p_value=None, ci_low=None, subjects=(), ratio=None,
             ci_high=None) -> dict:
    cert = certainty(p_value, ci_low)
    return {"kind": kind, "headline": headline, "evidence": [e for e in evidence if e],
            "estimated_cost": None if cost is None else round(float(cost), 2), "certainty": cert,
            "p_value": p_value, "ratio": ratio, "ci_low": ci_low, "ci_high": ci_high,
            "subjects": list(subjects), "score": round((cost or 0.0) * _WEIGHT[cert], 2)}


def cascade_findings(res, ctx: Context) -> list[dict]:
    """A finding per flagged cascade, and one for the org-level pattern."""
    org, model, names, window = ctx.org, ctx.model, ctx.names, res.settings["window_days"]
    out = []
    for c in res.table:
        if not c.get("flagged"):
            continue
        sup = c["supervisor_id"]
        prog = names.program(org.staff_frame.at[sup, "program_id"]) if sup in org.staff_frame.index else ""
        money = costs.cascade_cost(c, model=model, org=org)
        deps = ", ".join(f"{names.staff(d['staff_id'])} after {d['days_after']} days" for d in c["departures"][:8])
        more = f" and {len(c['departures']) - 8} more" if len(c["departures"]) > 8 else ""
        out.append(finding(
            "cascade",
            f"When supervisor {names.staff(sup)} ({prog}) left on {c['exit_date']}, {c['observed']} of the "
            f"{c['cohort_size']} people they supervised left within {window} days: "
            f"{c['relative_risk']:.1f} times the {c['expected']:.1f} the org's usual exit rate predicts.",
            [f"Observed {c['observed']} exits vs {c['expected']:.2f} expected ({_ci(c['ci_low'], c['ci_high'])}; "
             f"adjusted {_p(c['p_adjusted'])} after testing {res.extras['org'].get('tested', '?')} supervisor exits).",
             f"Who followed: {deps}{more}.",
             f"Excess turnover cost of this cascade: {_money(money['total_excess_cost'])} "
             f"({money['excess_exits']:.1f} exits beyond the expected)."
             + (" Nested cascades followed." if c.get("children") else "")],
            cost=money["total_excess_cost"], p_value=c["p_adjusted"], ci_low=c["ci_low"], ci_high=c["ci_high"],
            ratio=c["relative_risk"], subjects=[sup] + [d["staff_id"] for d in c["departures"]]))
    o = res.extras["org"]
    if o.get("hazard_ratio") is not None and o.get("exposed_exits"):
        money = costs.rate_excess_cost(o["exposed_exits"], o["exposed_person_days"], o["baseline_exits"],
                                       o["baseline_person_days"], model=model, org=org)
        out.append(finding(
            "cascade-pattern",
            f"Across the org, people whose supervisor had just left were {o['hazard_ratio']:.1f} times as likely "
            f"to leave in the following {window} days as everyone else.",
            [f"{o['exposed_exits']} exits in {o['exposed_person_days'] / 365.25:.0f} person-years after a supervisor "
             f"exit vs {o['baseline_exits']} in {o['baseline_person_days'] / 365.25:.0f} person-years otherwise "
             f"({_ci(o['ci_low'], o['ci_high'])}; {_p(o.get('p_value'))}; {o.get('method', '')}).",
             f"{o.get('flagged', 0)} of {o.get('tested', 0)} supervisor exits were followed by a significant cascade.",
             f"Exits beyond the usual rate after supervisor exits: {money['excess_exits']:.1f}, costing about "
             f"{_money(money['excess_cost'])} (this total includes the individual cascades)."],
            cost=money["excess_cost"], p_value=o.get("p_value"), ci_low=o.get("ci_low"), ci_high=o.get("ci_high"),
            ratio=o.get("hazard_ratio")))
    return out


def overload_findings(res, ctx: Context) -> list[dict]:
    """One finding naming the overloaded supervisors and what it costs."""
    org, model, names = ctx.org, ctx.model, ctx.names
    flagged = [s for s in res.table if s.get("overloaded")]
    rr = res.extras.get("rate_ratio") or {}
    if not flagged:
        return []
    flagged.sort(key=lambda s: -(s.get("mean_span") or 0))
    ev = []
    for s in flagged[:8]:
        deliv = s.get("supervision_hours_delivered")
        req = s.get("supervision_hours_required")
        cal = (f"; {deliv:.0f} of {req:.0f} required supervision hours delivered" if deliv is not None and req
               else "")
        reasons = s.get("reasons") or []
        ev.append(f"{names.staff(s['supervisor_id'])}: " + ("; ".join(reasons) if reasons else
                  f"{s['mean_span']:.1f} direct supervisees on average (up to {s['max_span']}){cal}") + ".")
    money = None
    if rr.get("exits_overloaded") is not None and rr.get("annual_rate_overloaded") is not None \
            and rr.get("annual_rate_other") is not None and rr.get("rate_ratio") is not None:
        money = costs.rate_excess_cost(rr["exits_overloaded"], rr["person_days_overloaded"], rr["exits_other"],
                                       rr["person_days_other"], model=model, org=org)
        ev.insert(0, f"Supervisees under overloaded supervisors left at {rr['annual_rate_overloaded']:.0%} a year vs "
                     f"{rr['annual_rate_other']:.0%} under others: {rr['rate_ratio']:.1f}× "
                     f"({_ci(rr['ci_low'], rr['ci_high'])}; {_p(rr.get('p_value'))}).")
        ev.append(f"Exits beyond the usual rate over the period analysed: {money['excess_exits']:.1f}, costing "
                  f"about {_money(money['excess_cost'])}.")
    ratio = rr.get("rate_ratio")
    head = (f"{len(flagged)} supervisors carry" if len(flagged) > 1 else "One supervisor carries") + \
        " more supervision than the org chart can deliver"
    if ratio and (rr.get("ci_low") or 0) > 1:
        head += f", and the people under them leave {ratio:.1f} times as often."
    elif ratio:
        head += (f"; so far the people under them do not clearly leave more often ({ratio:.1f}×, "
                 f"{_ci(rr.get('ci_low'), rr.get('ci_high'))}).")
    else:
        head += "."
    return [finding("overloaded-supervision", head, ev, cost=money and money["excess_cost"],
                     p_value=rr.get("p_value"), ci_low=rr.get("ci_low"), ci_high=rr.get("ci_high"), ratio=ratio,
                     subjects=[s["supervisor_id"] for s in flagged])]


def churn_findings(res, ctx: Context) -> list[dict]:
    """A finding per flagged churn seat."""
    org, model, names = ctx.org, ctx.model, ctx.names
    out = []
    for s in res.table:
        if not s.get("flagged"):
            continue
        money = costs.churn_seat_cost(s, model=model, org=org)
        ratio = s["exits"] / s["expected"] if s.get("expected") else None
        out.append(finding(
            "churn-seat",
            f"The {names.seat(s['position_id'])} in {names.program(s['program_id'])} has had {s['holders']} holders "
            f"and {s['exits']} exits, {ratio:.1f} times what the usual exit rate predicts." if ratio else
            f"The {names.seat(s['position_id'])} has had {s['holders']} holders and {s['exits']} exits.",
            [f"{s['exits']} exits vs {s['expected']:.2f} expected over {s['occupied_days']} occupied days "
             f"(adjusted {_p(s.get('p_adjusted'))}); median tenure {s.get('median_tenure_days') or 0:.0f} days; "
             f"{s.get('vacancy_days', 0)} days vacant.",
             *[str(f) for f in (s.get("shared_factors") or [])][:4],
             f"Excess turnover cost of this seat: {_money(money.get('excess_cost'))}."],
            cost=money.get("excess_cost"), p_value=s.get("p_adjusted"), ratio=ratio, subjects=[s["position_id"]]))
    return out


def _rate_finding(kind, head, er, extra, model, org) -> dict | None:
    need = ("rate_ratio", "exits", "person_years", "reference_exits", "reference_person_years",
            "exit_rate_per_year", "reference_exit_rate_per_year")
    if not er or any(er.get(k) is None for k in need) or not er["exits"]:
        return None
    money = costs.rate_excess_cost(er["exits"], er["person_years"], er["reference_exits"],
                                   er["reference_person_years"], model=model, org=org)
    ev = [f"{er['group'].capitalize()}: {er['exit_rate_per_year']:.0%} left per year vs "
          f"{er['reference_exit_rate_per_year']:.0%} for {er['reference']} — {er['rate_ratio']:.1f}× "
          f"({_ci(er.get('ci_low'), er.get('ci_high'))}; {_p(er.get('p_value'))}).", *extra,
          f"Exits beyond the usual rate over the period analysed: {money['excess_exits']:.1f}, costing about "
          f"{_money(money['excess_cost'])}."]
    return finding(kind, head, ev, cost=money["excess_cost"] if er["rate_ratio"] > 1 else 0.0,
                    p_value=er.get("p_value"), ci_low=er.get("ci_low"), ci_high=er.get("ci_high"),
                    ratio=er["rate_ratio"])


def caseload_findings(res, ctx: Context) -> list[dict]:
    """The program with the most high-caseload months, and the exit rate of sustained high caseloads."""
    org, model, names = ctx.org, ctx.model, ctx.names
    progs = sorted(res.extras.get("by_program") or [], key=lambda r: -(r.get("share_above_cutoff") or 0))
    if not progs:
        return []
    top = progs[0]
    pct = res.settings["percentile"]
    head = (f"Caseloads are breaking in {names.program(top['program_id'])}: {top['share_above_cutoff']:.0%} of its "
            f"clinician-months are above the org's {pct:.0f}th percentile, and people carrying such caseloads for "
            f"months leave faster.")
    extra = [f"{names.program(r['program_id'])}: median {r['median']:.0f} clients, 90th percentile {r['p90']:.0f}, "
             f"{r['sustained_people']} people above the cutoff for {res.settings['consecutive_months']}+ months."
             for r in progs[:3]]
    f = _rate_finding("caseload", head, res.extras.get("exit_rate"), extra, model, org)
    if f:
        f["subjects"] = [top["program_id"]]
    return [f] if f else []


def documentation_findings(res, ctx: Context) -> list[dict]:
    """The program with the heaviest documentation, and the exit rate after high-burden months."""
    org, model, names = ctx.org, ctx.model, ctx.names
    progs = sorted(res.extras.get("by_program") or [], key=lambda r: -(r.get("ratio") or 0))
    if not progs:
        return []
    top = progs[0]
    head = (f"In {names.program(top['program_id'])} documentation takes {top['ratio']:.2f} hours for every hour of "
            f"session, and staff at or above 1:1 leave faster.")
    extra = [f"{names.program(r['program_id'])}: {r['ratio']:.2f} documentation hours per session hour; "
             f"{r['people_at_or_above']} people at or above the threshold." for r in progs[:3]]
    f = _rate_finding("documentation", head, res.extras.get("exit_rate"), extra, model, org)
    if f:
        f["subjects"] = [top["program_id"]]
    return [f] if f else []


def leading_findings(res, ctx: Context) -> list[dict]:
    """Clinician exits in the quarters after supervisor exits."""
    org, model = ctx.org, ctx.model
    w = res.extras.get("window")
    if not w or w.get("rate_ratio") is None:
        return []
    f = _rate_finding("leading-indicator", res.summary or "", w, [], model, org)
    return [f] if f else []


def departure_findings(res, ctx: Context) -> list[dict]:
    """What the people who left had in common, when any group stands out."""
    org, names = ctx.org, ctx.names
    recs = [r for r in res.table if r.get("over_represented")]
    recs.sort(key=lambda r: r.get("p_adjusted") if r.get("p_adjusted") is not None else 1)
    if not recs:
        return []

    def level(r):
        if r["factor"] == "supervisor" and r["level"] in org.data.staff:
            return names.staff(r["level"])
        return r["level"]

    ev = [f"{r['factor'].replace('_', ' ')} = {level(r)}: {r['rate_ratio']:.1f}× the exit rate "
          f"({_ci(r.get('ci_low'), r.get('ci_high'))}; adjusted {_p(r.get('p_adjusted'))}), {r['exits']} exits"
          for r in recs[:6]]
    return [finding("common-factors", res.summary or "What departures had in common.", ev,
                     p_value=recs[0].get("p_adjusted"), ci_low=recs[0].get("ci_low"),
                     ratio=recs[0].get("rate_ratio"))]


def continuity_findings(res, ctx: Context) -> list[dict]:
    """Clients whose clinician left mid-treatment."""
    t = res.extras.get("totals") or {}
    if not t.get("clients_served") or not t.get("clients_affected"):
        return []
    ev = [f"{r.get('year')}: {r.get('clients_affected', 0)} clients affected"
          for r in (res.extras.get("by_year") or [])[-3:]]
    return [finding("continuity", res.summary or "", ev)]
