"""The root-cause audit: every analysis, turned into ranked findings a COO can act on.

:func:`run_audit` runs the analyses, turns what they found into findings
(one sentence each, the evidence behind it, a dollar estimate and how sure we
are) and ranks them by estimated cost weighted by certainty.
:func:`write_audit` writes ``findings.json``, ``report.md`` and the snapshot
pack (``index.html`` with maps) into a folder.
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Callable

from .analyses import cascades as _cascades
from .analyses import caseload as _caseload
from .analyses import churn as _churn
from .analyses import common as _common
from .analyses import continuity as _continuity
from .analyses import cost as _cost
from .analyses import docburden as _docburden
from .analyses import leading as _leading
from .analyses import overload as _overload
from .analyses import risk as _risk
from .errors import AnalysisError, SourceError
from .graph import OrgGraph, as_date
from .render.tables import jsonable
from .summary import org_summary

__all__ = ["run_audit", "write_audit", "certainty", "report_markdown", "STEPS"]

#: The analyses the audit runs, in order: (key, label, function).
STEPS: list[tuple[str, str, Callable]] = [
    ("cascades", "supervisor-exit cascades", _cascades.supervisor_cascades),
    ("overload", "overloaded supervisors", _overload.overloaded_supervisors),
    ("churn", "churn seats", _churn.churn_seats),
    ("caseload", "caseload distribution", _caseload.caseload_distribution),
    ("docburden", "documentation burden", _docburden.documentation_burden),
    ("leading", "supervisor exits as a leading indicator", _leading.supervisor_leading_indicator),
    ("common", "what departures have in common", _common.departure_factors),
    ("continuity", "continuity of care", _continuity.continuity_of_care),
    ("risk", "who is at risk now", _risk.risk_list),
    ("cost", "turnover cost", _cost.turnover_cost),
]

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
    return "n/a" if x is None else _cost.money(x)


def _ci(lo, hi) -> str:
    if lo is None or hi is None:
        return "interval not available"
    return f"95% CI {lo:.1f}–{hi:.1f}"


def _p(p) -> str:
    if p is None:
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


class _Names:
    """Staff, seat and program names for sentences; pseudonyms when anonymizing."""

    def __init__(self, org: OrgGraph, anonymize: bool, key: str | None):
        self.org = org
        self.pseudo = None
        if anonymize:
            from .render.maps import Pseudonymizer

            self.pseudo = Pseudonymizer(key)

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


def _finding(kind, headline, evidence, *, cost=None, p_value=None, ci_low=None, subjects=(), ratio=None,
             ci_high=None) -> dict:
    cert = certainty(p_value, ci_low)
    return {"kind": kind, "headline": headline, "evidence": [e for e in evidence if e],
            "estimated_cost": None if cost is None else round(float(cost), 2), "certainty": cert,
            "p_value": p_value, "ratio": ratio, "ci_low": ci_low, "ci_high": ci_high,
            "subjects": list(subjects), "score": round((cost or 0.0) * _WEIGHT[cert], 2)}


def _cascade_findings(org, res, model, names, window) -> list[dict]:
    out = []
    for c in res["cascades"]:
        if not c.get("flagged"):
            continue
        sup = c["supervisor_id"]
        prog = names.program(org.staff_frame.at[sup, "program_id"]) if sup in org.staff_frame.index else ""
        money = _cost.cascade_cost(c, model=model, org=org)
        deps = ", ".join(f"{names.staff(d['staff_id'])} after {d['days_after']} days" for d in c["departures"][:8])
        more = f" and {len(c['departures']) - 8} more" if len(c["departures"]) > 8 else ""
        out.append(_finding(
            "cascade",
            f"When supervisor {names.staff(sup)} ({prog}) left on {c['exit_date']}, {c['observed']} of the "
            f"{c['cohort_size']} people they supervised left within {window} days: "
            f"{c['relative_risk']:.1f} times the {c['expected']:.1f} the org's usual exit rate predicts.",
            [f"Observed {c['observed']} exits vs {c['expected']:.2f} expected ({_ci(c['ci_low'], c['ci_high'])}; "
             f"adjusted {_p(c['p_adjusted'])} after testing {res['org'].get('tested', '?')} supervisor exits).",
             f"Who followed: {deps}{more}.",
             f"Excess turnover cost of this cascade: {_money(money['total_excess_cost'])} "
             f"({money['excess_exits']:.1f} exits beyond the expected)."
             + (" Nested cascades followed." if c.get("children") else "")],
            cost=money["total_excess_cost"], p_value=c["p_adjusted"], ci_low=c["ci_low"], ci_high=c["ci_high"],
            ratio=c["relative_risk"], subjects=[sup] + [d["staff_id"] for d in c["departures"]]))
    o = res["org"]
    if o.get("hazard_ratio") is not None and o.get("exposed_exits"):
        money = _cost.rate_excess_cost(o["exposed_exits"], o["exposed_person_days"], o["baseline_exits"],
                                       o["baseline_person_days"], model=model, org=org)
        out.append(_finding(
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


def _overload_findings(org, res, model, names) -> list[dict]:
    flagged = [s for s in res["supervisors"] if s.get("overloaded")]
    rr = res.get("rate_ratio") or {}
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
        money = _cost.rate_excess_cost(rr["exits_overloaded"], rr["person_days_overloaded"], rr["exits_other"],
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
    return [_finding("overloaded-supervision", head, ev, cost=money and money["excess_cost"],
                     p_value=rr.get("p_value"), ci_low=rr.get("ci_low"), ci_high=rr.get("ci_high"), ratio=ratio,
                     subjects=[s["supervisor_id"] for s in flagged])]


def _churn_findings(org, res, model, names) -> list[dict]:
    out = []
    for s in res["seats"]:
        if not s.get("flagged"):
            continue
        money = _cost.churn_seat_cost(s, model=model, org=org)
        ratio = s["exits"] / s["expected"] if s.get("expected") else None
        out.append(_finding(
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
    money = _cost.rate_excess_cost(er["exits"], er["person_years"], er["reference_exits"],
                                   er["reference_person_years"], model=model, org=org)
    ev = [f"{er['group'].capitalize()}: {er['exit_rate_per_year']:.0%} left per year vs "
          f"{er['reference_exit_rate_per_year']:.0%} for {er['reference']} — {er['rate_ratio']:.1f}× "
          f"({_ci(er.get('ci_low'), er.get('ci_high'))}; {_p(er.get('p_value'))}).", *extra,
          f"Exits beyond the usual rate over the period analysed: {money['excess_exits']:.1f}, costing about "
          f"{_money(money['excess_cost'])}."]
    return _finding(kind, head, ev, cost=money["excess_cost"] if er["rate_ratio"] > 1 else 0.0,
                    p_value=er.get("p_value"), ci_low=er.get("ci_low"), ci_high=er.get("ci_high"),
                    ratio=er["rate_ratio"])


def _caseload_findings(org, res, model, names) -> list[dict]:
    progs = sorted(res.get("by_program") or [], key=lambda r: -(r.get("share_above_cutoff") or 0))
    if not progs:
        return []
    top = progs[0]
    pct = res["settings"]["percentile"]
    head = (f"Caseloads are breaking in {names.program(top['program_id'])}: {top['share_above_cutoff']:.0%} of its "
            f"clinician-months are above the org's {pct:.0f}th percentile, and people carrying such caseloads for "
            f"months leave faster.")
    extra = [f"{names.program(r['program_id'])}: median {r['median']:.0f} clients, 90th percentile {r['p90']:.0f}, "
             f"{r['sustained_people']} people above the cutoff for {res['settings']['consecutive_months']}+ months."
             for r in progs[:3]]
    f = _rate_finding("caseload", head, res.get("exit_rate"), extra, model, org)
    if f:
        f["subjects"] = [top["program_id"]]
    return [f] if f else []


def _doc_findings(org, res, model, names) -> list[dict]:
    progs = sorted(res.get("by_program") or [], key=lambda r: -(r.get("ratio") or 0))
    if not progs:
        return []
    top = progs[0]
    head = (f"In {names.program(top['program_id'])} documentation takes {top['ratio']:.2f} hours for every hour of "
            f"session, and staff at or above 1:1 leave faster.")
    extra = [f"{names.program(r['program_id'])}: {r['ratio']:.2f} documentation hours per session hour; "
             f"{r['people_at_or_above']} people at or above the threshold." for r in progs[:3]]
    f = _rate_finding("documentation", head, res.get("exit_rate"), extra, model, org)
    if f:
        f["subjects"] = [top["program_id"]]
    return [f] if f else []


def _leading_findings(org, res, model, names) -> list[dict]:
    w = res.get("window")
    if not w or w.get("rate_ratio") is None:
        return []
    f = _rate_finding("leading-indicator", res.get("sentence") or res.get("summary") or "", w, [], model, org)
    return [f] if f else []


def _common_findings(org, res, names) -> list[dict]:
    recs = [r for r in res.get("records") or [] if r.get("over_represented")]
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
    return [_finding("common-factors", res.get("summary") or "What departures had in common.", ev,
                     p_value=recs[0].get("p_adjusted"), ci_low=recs[0].get("ci_low"),
                     ratio=recs[0].get("rate_ratio"))]


def _continuity_findings(res) -> list[dict]:
    t = res.get("totals") or {}
    if not t.get("clients_served"):
        return []
    ev = [f"{r.get('year')}: {r.get('clients_affected', 0)} clients affected" for r in (res.get("by_year") or [])[-3:]]
    return [_finding("continuity", res.get("summary") or "", ev)]


def run_audit(org: OrgGraph, *, as_of=None, anonymize: bool = False, key: str | None = None,
              progress: Callable[[str], None] | None = None) -> dict:
    """Run every analysis and rank what they found.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Audit the org as of this date (default: the last day of data).
    anonymize, key : bool, str
        Use keyed pseudonyms instead of names in the findings.
    progress : callable, optional
        Called with each step's label before it runs.

    Returns
    -------
    dict
        ``as_of``, ``org`` (summary), ``headlines`` (finance sentences),
        ``findings`` (ranked; each with ``rank``, ``kind``, ``headline``,
        ``evidence``, ``estimated_cost``, ``certainty``, ``p_value``, ``ratio``,
        ``ci_low``, ``ci_high``, ``subjects``, ``score``), ``at_risk`` (top of the
        risk list), ``notes`` (analyses that could not run) and ``results``
        (every analysis's full result).
    """
    day = as_date(as_of) if as_of is not None else org.data_end
    names = _Names(org, anonymize, key)
    results: dict = {}
    notes: list[str] = []
    for k, label, fn in STEPS:
        if progress:
            progress(label)
        try:
            results[k] = fn(org, as_of=day) if "as_of" in inspect.signature(fn).parameters else fn(org)
        except AnalysisError as exc:
            results[k] = None
            notes.append(f"{label}: not run — {exc}")
    model = _cost.cost_model(org, as_of=day)
    window = (results.get("cascades") or {}).get("settings", {}).get("window_days", 180)
    findings: list[dict] = []
    if results.get("cascades"):
        findings += _cascade_findings(org, results["cascades"], model, names, window)
    if results.get("overload"):
        findings += _overload_findings(org, results["overload"], model, names)
    if results.get("churn"):
        findings += _churn_findings(org, results["churn"], model, names)
    if results.get("caseload"):
        findings += _caseload_findings(org, results["caseload"], model, names)
    if results.get("docburden"):
        findings += _doc_findings(org, results["docburden"], model, names)
    if results.get("leading"):
        findings += _leading_findings(org, results["leading"], model, names)
    if results.get("common"):
        findings += _common_findings(org, results["common"], names)
    if results.get("continuity"):
        findings += _continuity_findings(results["continuity"])
    findings = [f for f in findings if f["headline"]]
    findings.sort(key=lambda f: (-f["score"], -(f["estimated_cost"] or 0), f["p_value"] if f["p_value"] is not None
                                 else 1.0))
    for i, f in enumerate(findings, 1):
        f["rank"] = i
    headlines = _cost.finance_headlines(org, as_of=day)
    risk = results.get("risk") or {}
    at_risk = []
    for r in (risk.get("records") or [])[:10]:
        r = dict(r)
        if anonymize and "staff_id" in r:
            r["staff_id"] = names.staff(r["staff_id"])
            r.pop("name", None)
        at_risk.append(r)
    from .analyses.exposure import observed_from

    return jsonable({"as_of": day, "window_start": observed_from(org), "org": org_summary(org), "headlines": headlines, "findings": findings,
                     "at_risk": at_risk, "risk_summary": risk.get("summary"), "notes": notes,
                     "results": results})


def report_markdown(audit: dict) -> str:
    """The audit as an analyst's memo in Markdown."""
    o = audit["org"]
    window = audit.get("window_start") or o["date_from"]
    lines = [f"# Turnover root-cause audit — {audit['as_of']}", "",
             f"Data: {o['staff']} people, {o['positions']} seats, {o['programs']} programs; exits observed from "
             f"{window} to {o['date_to']}.", ""]
    if audit["headlines"]:
        lines += ["## The bottom line", ""] + [f"- {h}" for h in audit["headlines"]] + [""]
    lines += ["## Findings, ranked by estimated cost and certainty", ""]
    if not audit["findings"]:
        lines += ["No structural pattern stood out at the configured thresholds.", ""]
    for f in audit["findings"]:
        cost = f" · estimated cost {_money(f['estimated_cost'])}" if f["estimated_cost"] else ""
        lines += [f"### {f['rank']}. {f['headline']}", "", f"*Certainty: {f['certainty']}{cost}*", ""]
        lines += [f"- {e}" for e in f["evidence"]] + [""]
    if audit.get("at_risk"):
        lines += ["## Who is at risk now", ""]
        if audit.get("risk_summary"):
            lines += [audit["risk_summary"], ""]
        lines += ["| staff | score | risk factors |", "|---|---|---|"]
        for r in audit["at_risk"]:
            who = r.get("name") and f"{r['name']} ({r['staff_id']})" or r.get("staff_id")
            factors = r.get("factors") or r.get("risk_factors") or []
            if isinstance(factors, list):
                factors = ", ".join(str(x if not isinstance(x, dict) else x.get("factor", x)) for x in factors)
            lines.append(f"| {who} | {r.get('score', '')} | {factors} |")
        lines.append("")
    if audit.get("notes"):
        lines += ["## Not run", ""] + [f"- {n}" for n in audit["notes"]] + [""]
    lines += ["## How to read this", "",
              "Each finding compares what happened with what the org's own usual exit rate predicts. Ratios come "
              "with 95% intervals; p-values for many tests at once (cascades, seats) are adjusted "
              "(Benjamini–Hochberg). Dollar figures use the cost model in `orgraph cost` and its documented "
              "assumptions (`orgraph.toml` [cost]).", ""]
    return "\n".join(lines)


def write_audit(org: OrgGraph, out_dir, *, as_of=None, anonymize: bool = False, key: str | None = None,
                progress: Callable[[str], None] | None = None, png: bool = True) -> dict:
    """Run the audit and write ``findings.json``, ``report.md`` and the snapshot pack into ``out_dir``.

    Returns the audit (see :func:`run_audit`) plus ``files``: name → path.
    """
    from .render.pack import write_pack

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(f"cannot create the audit folder {out}: {exc.strerror}") from None
    audit = run_audit(org, as_of=as_of, anonymize=anonymize, key=key, progress=progress)
    day = as_date(audit["as_of"])
    if progress:
        progress("snapshot pack and maps")
    pack_results = {"cascades": audit["results"].get("cascades"), "overload": audit["results"].get("overload"),
                    "churn": audit["results"].get("churn"), "notes": []}
    pack = write_pack(org, out, as_of=day, findings=[f["headline"] for f in audit["findings"]],
                      anonymize=anonymize, key=key, results=pack_results, png=png,
                      title=f"Turnover root-cause audit, {day.isoformat()}")
    doc = {k: v for k, v in audit.items() if k != "results"}
    (out / "findings.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text(report_markdown(audit), encoding="utf-8")
    files = dict(pack["files"])
    files["findings.json"] = str(out / "findings.json")
    files["report.md"] = str(out / "report.md")
    audit["files"] = files
    return audit
