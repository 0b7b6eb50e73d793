"""Findings: what each analysis found, in sentences a COO can repeat, with dollars and certainty.

Each ``*_findings(result, ctx)`` function reads one analysis's
:class:`~orgraph.result.Result` and returns *candidate* findings: what would
be said if the numbers hold up, what is said if they do not, the test behind
the claim and what it would cost. :func:`orgraph.report.claims.state` then
decides, across every claim of the audit at once, which are stated
(:mod:`orgraph.report.claims`): a sentence that says people "leave faster" is
only written when the interval of that ratio lies above 1. Every sentence is
written from the numbers it states. :class:`Context` carries what all of them
share: the org, the names (or pseudonyms) to use and the cost model.

A candidate is a dict with the public finding keys (``kind``, ``headline``,
``evidence``, ``ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``subjects``)
and private ones the gate reads and removes: ``_test`` (the key of its
hypothesis in :func:`hypotheses`), ``_plain`` (the headline when the claim is
not stated; ``None``: say nothing), ``_cost`` and ``_excess`` (dollars and
excess exits if stated), ``_exposed_exits``, ``_reference_exits``,
``_reference_person_years`` and ``_baseline_exits`` (the data behind it),
``_mechanism`` and ``_exits`` (whose exits it prices, so none is priced twice).

Examples
--------
>>> certainty(0.001), certainty(0.03), certainty(0.08), certainty(None)
('high', 'moderate', 'suggestive', 'descriptive')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..graph import OrgGraph
from ..model import TERMINATION_TYPES
from ..privacy import Pseudonymizer
from ..stats import poisson_ci
from . import costs
from .words import interval, money, p_text, plural

__all__ = ["Context", "Names", "certainty", "finding", "candidate", "hypotheses", "watched_seats", "cascade_findings",
           "overload_findings",
           "churn_findings", "caseload_findings", "documentation_findings", "leading_findings",
           "departure_findings", "continuity_findings", "WEIGHT"]

#: How much of a finding's dollars count towards its rank, by certainty.
WEIGHT = {"high": 1.0, "moderate": 0.6, "suggestive": 0.3, "descriptive": 0.5}


def certainty(p_adjusted: float | None) -> str:
    """How sure a stated finding is, in words, from its audit-wide adjusted p-value.

    ``high``: below 0.01; ``moderate``: below 0.05; ``suggestive``: otherwise (a
    stated claim has passed the audit's false discovery rate, 0.10 by default);
    ``descriptive`` when the finding makes no claim of an effect.
    """
    if p_adjusted is None:
        return "descriptive"
    if p_adjusted < 0.01:
        return "high"
    if p_adjusted < 0.05:
        return "moderate"
    return "suggestive"


def _money(x: float | None) -> str:
    return "n/a" if x is None else money(x)


def _ci(lo, hi) -> str:
    if lo is None or hi is None:
        return "interval not available"
    return f"95% CI {interval(lo, hi)}"


_p = p_text

#: What an id can look like inside a sentence (letters, digits, ``-``, ``_`` and ``.`` inside).
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?")


class Names:
    """Staff, seat and program names for sentences; pseudonyms when anonymizing."""

    def __init__(self, org: OrgGraph, anonymize: bool = False, key: str | None = None):
        self.org = org
        self.pseudo = Pseudonymizer(key) if anonymize else None

    def staff(self, sid: str) -> str:
        if self.pseudo is not None:
            return self.pseudo(sid)
        name = self.org.by_id("staff", "name").get(sid)
        return f"{name} ({sid})" if name else str(sid)

    def program(self, pid: str | None) -> str:
        p = self.org.data.programs.get(pid) if pid else None
        return p.name if p else (pid or "no program")

    def seat(self, pid: str) -> str:
        titles = self.org.by_id("positions", "title")
        shown = self.seat_id(pid)
        return f"{titles[pid]} seat {shown}" if pid in titles else f"seat {shown}"

    def seat_id(self, pid: str) -> str:
        """A seat id, or its pseudonym when anonymizing (a seat can name the one person who holds it)."""
        return self.pseudo.seat(pid) if self.pseudo is not None else pid

    @property
    def anonymized(self) -> bool:
        """Whether people are shown as pseudonyms (and how each left is never said)."""
        return self.pseudo is not None

    def scrub(self, text: str | None) -> str | None:
        """``text`` with every staff or seat id in it replaced by its pseudonym (as it is when not anonymizing).

        Analyses write some sentences themselves ("8 of 9 exits reported to S0132"); when anonymizing, every
        sentence of the audit passes through here, so no real id leaves in prose.
        """
        if self.pseudo is None or not text:
            return text
        known = self.org.by_id("staff", "name").keys() | self.org.by_id("positions", "title").keys()
        return _TOKEN.sub(lambda m: self.subject(m.group(0)) if m.group(0) in known else m.group(0), text)

    def subject(self, sid: str) -> str:
        """Any id a finding names: a person's or seat's through the pseudonymizer, a program's as it is."""
        if self.pseudo is None or sid in self.org.data.programs:
            return sid
        if sid in self.org.by_id("positions", "title"):
            return self.seat_id(sid)
        return self.pseudo(sid)


@dataclass(frozen=True)
class Context:
    """What every findings function shares: the org, names for sentences, the cost model and every result
    of the audit (so org-level claims can use the joint model of :func:`orgraph.analyses.effects.exit_effects`)."""

    org: OrgGraph
    names: Names
    model: dict
    results: dict = field(default_factory=dict)

    def adjusted(self, exposure: str) -> dict | None:
        """The joint model's adjusted numbers for ``exposure``, with dollars for its attributable exits, or
        ``None`` when the model did not estimate it."""
        eff = self.results.get("effects")
        row = next((r for r in (eff.table if eff is not None else []) if r["exposure"] == exposure), None)
        if row is None or not row["fitted"]:
            return None
        per_exit = float(self.model["role_kinds"]["clinician"]["total"])
        x = eff.extras
        return {"ratio": row["rate_ratio"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                "p_value": row["p_value"], "exits": row["exits"], "person_years": row["person_years"],
                "reference_exits": x["exits"] - row["exits"],
                "reference_person_years": (x["person_years"] or 0) - (row["person_years"] or 0),
                "attributable": row["attributable_exits"], "cost": round(row["attributable_exits"] * per_exit, 2),
                "test": ("effect", exposure),
                "evidence": (f"Adjusted for role kind, tenure, calendar year and the other conditions in one model: "
                             f"{row['rate_ratio']:.2f} times the exit rate ({_ci(row['ci_low'], row['ci_high'])}); "
                             f"about {row['attributable_exits']:.1f} of the {plural(row['exits'], 'exit')} among "
                             f"them are attributable to it, about {money(row['attributable_exits'] * per_exit)}.")}


def _use_adjusted(c: dict | None, adj: dict | None) -> dict | None:
    """Put the joint model's numbers on a rate candidate (its sentence was written from them)."""
    if c is None or adj is None:
        return c
    c.update(ratio=adj["ratio"], ci_low=adj["ci_low"], ci_high=adj["ci_high"], p_value=adj["p_value"])
    c.update(_test=adj["test"], _cost=adj["cost"], _excess=adj["attributable"], _exposed_exits=adj["exits"],
             _reference_exits=adj["reference_exits"], _reference_person_years=adj["reference_person_years"])
    c["evidence"] = [adj["evidence"]] + [e for e in c["evidence"] if not e.startswith("Exits beyond the usual rate")]
    return c


def finding(kind, headline, evidence, *, cost=None, p_value=None, p_adjusted=None, ci_low=None, subjects=(),
            ratio=None, ci_high=None) -> dict:
    """A finding dict as ``findings.json`` holds it (score = dollars weighted by certainty)."""
    cert = certainty(p_adjusted)
    return {"kind": kind, "headline": headline, "evidence": [e for e in evidence if e],
            "estimated_cost": None if cost is None else round(float(cost), 2), "certainty": cert,
            "p_value": p_value, "p_adjusted": p_adjusted, "ratio": ratio, "ci_low": ci_low, "ci_high": ci_high,
            "subjects": list(subjects), "score": round((cost or 0.0) * WEIGHT[cert], 2)}


def candidate(kind, claim, plain, evidence, *, test, ratio, ci_low, ci_high, p_value, subjects=(), cost=0.0,
              excess=0.0, exposed_exits=0, reference_exits=None, reference_person_years=None, baseline_exits=None,
              mechanism=None, exits=()) -> dict:
    """A candidate finding (see the module docstring): ``claim`` is said if the gate states it, ``plain``
    otherwise (``None``: nothing is said); ``test`` is its key in :func:`hypotheses`."""
    return {"kind": kind, "headline": claim, "evidence": [e for e in evidence if e], "ratio": ratio,
            "ci_low": ci_low, "ci_high": ci_high, "p_value": p_value, "subjects": list(subjects),
            "_test": test, "_plain": plain, "_cost": float(cost or 0.0), "_excess": float(excess or 0.0),
            "_exposed_exits": int(exposed_exits or 0), "_reference_exits": reference_exits,
            "_reference_person_years": reference_person_years, "_baseline_exits": baseline_exits,
            "_mechanism": mechanism or kind, "_exits": tuple(exits)}


def hypotheses(results: dict) -> dict:
    """Every hypothesis the audit tested, ``{key: p_value}``: the family of one Benjamini-Hochberg pass.

    Each supervisor exit with a team, each seat held by enough people, each
    overloaded supervisor's team (when more than one is overloaded), each
    group compared in ``departures``, the caseload-per-FTE relation and each
    org-level rate ratio is one test, whether or not it is stated.
    """
    out: dict = {}
    res = results.get("cascades")
    if res is not None:
        for c in res.table:
            if c.get("p_value") is not None:
                out[("cascade", c["supervisor_id"], c["exit_date"])] = c["p_value"]
        if res.extras["org"].get("p_value") is not None:
            out[("cascade-pattern",)] = res.extras["org"]["p_value"]
    res = results.get("churn")
    if res is not None:
        for s in res.table:
            if s.get("p_value") is not None:
                out[("churn-seat", s["position_id"])] = s["p_value"]
    eff = results.get("effects")
    fitted = {r["exposure"]: r["p_value"] for r in (eff.table if eff is not None else []) if r["fitted"]}
    out.update({("effect", n): p for n, p in fitted.items()})
    if "supervisor_left" in fitted:
        out.pop(("cascade-pattern",), None)
    for name, kind, part, exposure in (("overload", "overloaded-supervision", "rate_ratio", "overloaded_supervisor"),
                                       ("caseload", "caseload", "exit_rate", "sustained_high_caseload"),
                                       ("docburden", "documentation", "exit_rate", "high_doc_burden"),
                                       ("leading", "leading-indicator", "window", None)):
        res = results.get(name)
        if exposure not in fitted and res is not None and (res.extras.get(part) or {}).get("p_value") is not None:
            out[(kind,)] = res.extras[part]["p_value"]
    res = results.get("overload")
    teams = [r for r in (res.table if res is not None else []) if r.get("team_p_value") is not None]
    for r in (teams if len(teams) > 1 else []):     # one overloaded supervisor: the org-level test is theirs
        out[("overloaded-supervisor", r["supervisor_id"])] = r["team_p_value"]
    res = results.get("caseload")
    per_fte = (res.extras.get("per_fte") or {}) if res is not None else {}
    if per_fte.get("p_value") is not None:
        out[("caseload-per-fte",)] = per_fte["p_value"]
    res = results.get("departures")
    if res is not None:
        for r in res.table:
            if r.get("p_value") is not None:
                out[("departures", r["factor"], r["level"])] = r["p_value"]
    return out


def cascade_findings(res, ctx: Context) -> list[dict]:
    """A candidate per flagged cascade, and one for the org-level pattern."""
    org, model, names, window = ctx.org, ctx.model, ctx.names, res.settings["window_days"]
    o = res.extras["org"]
    out = []
    for c in res.table:
        if not c.get("flagged"):
            continue
        sup = c["supervisor_id"]
        prog = names.program(org.staff_frame.at[sup, "program_id"]) if sup in org.staff_frame.index else ""
        own = costs.cascade_cost(dict(c, children=[]), model=model, org=org)
        deps = ", ".join(f"{names.staff(d['staff_id'])} after {d['days_after']} days" for d in c["departures"][:8])
        more = f" and {len(c['departures']) - 8} more" if len(c["departures"]) > 8 else ""
        nested = [ch["supervisor_id"] for ch in c.get("children") or []]
        out.append(candidate(
            "cascade",
            f"When supervisor {names.staff(sup)} ({prog}) left on {c['exit_date']}, {c['observed']} of the "
            f"{c['cohort_size']} people they supervised left within {window} days: "
            f"{c['relative_risk']:.1f} times the {c['expected']:.1f} the org's usual exit rate predicts.",
            None,
            [f"Observed {c['observed']} exits vs {c['expected']:.2f} expected ({_ci(c['ci_low'], c['ci_high'])}).",
             f"Who followed: {deps}{more}.",
             (f"Supervisors of this team who left in turn: {', '.join(names.staff(n) for n in nested)} (each "
              f"cascade is costed once, in its own finding when it is one)." if nested else "")],
            test=("cascade", sup, c["exit_date"]), ratio=c["relative_risk"], ci_low=c["ci_low"],
            ci_high=c["ci_high"], p_value=c["p_value"], subjects=[sup] + [d["staff_id"] for d in c["departures"]],
            cost=own["excess_cost"], excess=own["excess_exits"], exposed_exits=c["observed"],
            baseline_exits=o.get("baseline_exits"), mechanism="supervisor-exit",
            exits=[d["staff_id"] for d in c["departures"]]))
    if o.get("hazard_ratio") is not None and o.get("exposed_exits"):
        money_ = costs.rate_excess_cost(o["exposed_exits"], o["exposed_person_days"], o["baseline_exits"],
                                        o["baseline_person_days"], model=model, org=org)
        adj = ctx.adjusted("supervisor_left")
        ratio = adj["ratio"] if adj else o["hazard_ratio"]
        lo, hi = (adj["ci_low"], adj["ci_high"]) if adj else (o.get("ci_low"), o.get("ci_high"))
        out.append(_use_adjusted(candidate(
            "cascade-pattern",
            f"Across the org, people whose supervisor had just left were {ratio:.1f} times as likely to leave in "
            f"the following {window} days as everyone else.",
            f"People whose supervisor had just left did not clearly leave more often than everyone else "
            f"({ratio:.1f} times, {_ci(lo, hi)}).",
            [f"{plural(o['exposed_exits'], 'exit')} in {o['exposed_person_days'] / 365.25:.0f} person-years after a "
             f"supervisor exit vs {o['baseline_exits']} in {o['baseline_person_days'] / 365.25:.0f} person-years "
             f"otherwise ({_ci(o['ci_low'], o['ci_high'])}; {o.get('method', '')}).",
             f"{o.get('flagged', 0)} of {o.get('tested', 0)} supervisor exits were followed by a significant cascade.",
             f"Exits beyond the usual rate after supervisor exits: {money_['excess_exits']:.1f}, costing about "
             f"{_money(money_['excess_cost'])}; the individual cascades are part of this total."],
            test=("cascade-pattern",), ratio=ratio, ci_low=o.get("ci_low"), ci_high=o.get("ci_high"),
            p_value=o.get("p_value"), cost=money_["excess_cost"], excess=money_["excess_exits"],
            exposed_exits=o["exposed_exits"], reference_exits=o["baseline_exits"],
            reference_person_years=o["baseline_person_days"] / 365.25, mechanism="supervisor-exit-pattern"), adj))
    return out


def overload_findings(res, ctx: Context) -> list[dict]:
    """One candidate naming the overloaded supervisors; its claim is that the people under them leave faster."""
    org, model, names = ctx.org, ctx.model, ctx.names
    flagged = sorted((s for s in res.table if s.get("overloaded")), key=lambda s: -(s.get("mean_span") or 0))
    rr = res.extras.get("rate_ratio") or {}
    if not flagged:
        return []
    ev = []
    for s in flagged[:8]:
        deliv = s.get("supervision_hours_delivered")
        req = s.get("supervision_hours_required")
        cal = (f"; {deliv:.0f} of {req:.0f} required supervision hours delivered" if deliv is not None and req
               else "")
        reasons = s.get("reasons") or []
        ev.append(f"{names.staff(s['supervisor_id'])}: " + ("; ".join(reasons) if reasons else
                  f"{s['mean_span']:.1f} direct supervisees on average (up to {s['max_span']}){cal}") + ".")
    who = "One supervisor carries" if len(flagged) == 1 else f"{len(flagged)} supervisors carry"
    lead = f"{who} more supervision than the org chart can deliver"
    adj = ctx.adjusted("overloaded_supervisor")
    ratio = adj["ratio"] if adj else rr.get("rate_ratio")
    lo, hi = (adj["ci_low"], adj["ci_high"]) if adj else (rr.get("ci_low"), rr.get("ci_high"))
    if ratio is None or rr.get("annual_rate_overloaded") is None or rr.get("annual_rate_other") is None:
        return [candidate("overloaded-supervision", lead + ".", lead + ".", ev, test=None, ratio=None, ci_low=None,
                           ci_high=None, p_value=None, subjects=[s["supervisor_id"] for s in flagged])]
    m = costs.rate_excess_cost(rr["exits_overloaded"], rr["person_days_overloaded"], rr["exits_other"],
                               rr["person_days_other"], model=model, org=org)
    ev.insert(0, f"Supervisees under overloaded supervisors left at {rr['annual_rate_overloaded']:.0%} a year vs "
                 f"{rr['annual_rate_other']:.0%} under others: {rr['rate_ratio']:.1f}× "
                 f"({_ci(rr['ci_low'], rr['ci_high'])}).")
    ev.append(f"Exits beyond the usual rate over the period analysed: {m['excess_exits']:.1f}, costing about "
              f"{_money(m['excess_cost'])}.")
    return [_use_adjusted(candidate(
        "overloaded-supervision", f"{lead}, and the people under them leave {ratio:.1f} times as often.",
        f"{lead}; the people under them do not clearly leave more often ({ratio:.1f} times, {_ci(lo, hi)}).",
        ev, test=("overloaded-supervision",), ratio=ratio, ci_low=rr.get("ci_low"), ci_high=rr.get("ci_high"),
        p_value=rr.get("p_value"), subjects=[s["supervisor_id"] for s in flagged], cost=m["excess_cost"],
        excess=m["excess_exits"], exposed_exits=rr["exits_overloaded"], reference_exits=rr["exits_other"],
        reference_person_years=rr["person_days_other"] / 365.25), adj)] + _team_candidates(flagged, ctx)


def _team_candidates(flagged: list[dict], ctx: Context) -> list[dict]:
    """One candidate per overloaded supervisor: the people under them left faster than the org's usual rates
    predict for the same days (said only as a claim). With one overloaded supervisor the org-level finding is
    already about them, so there is nothing to add."""
    out = []
    for s in (flagged if len(flagged) > 1 else []):
        k, mu = s.get("team_exits"), s.get("team_expected")
        if k is None or not mu or s.get("team_ratio") is None:
            continue
        name = ctx.names.staff(s["supervisor_id"])
        own = costs.excess_exit_cost(k, mu, "clinician", model=ctx.model)
        out.append(candidate(
            "overloaded-supervisor",
            f"The people under {name}, an overloaded supervisor, left {s['team_ratio']:.1f} times as often as the "
            f"org's usual rates predict: {plural(k, 'exit')} against {mu:.1f} expected.", None,
            [f"Observed {plural(k, 'exit')} while under {name} vs {mu:.2f} expected for the same people, days, "
             f"roles and tenure ({_ci(s['team_ci_low'], s['team_ci_high'])})."],
            test=("overloaded-supervisor", s["supervisor_id"]), ratio=s["team_ratio"], ci_low=s["team_ci_low"],
            ci_high=s["team_ci_high"], p_value=s["team_p_value"], subjects=[s["supervisor_id"]], cost=own,
            excess=max(k - mu, 0.0), exposed_exits=k, baseline_exits=s.get("baseline_exits"),
            mechanism="overloaded-supervisor"))
    return out


#: A seat's shared factor saying how its holders left ("6 of 9 exits were voluntary"): left out when anonymized.
_HOW_THEY_LEFT = re.compile(r"\bexits were (?:%s)\b" % "|".join(map(re.escape, TERMINATION_TYPES)))


def churn_findings(res, ctx: Context) -> list[dict]:
    """A candidate per flagged churn seat (anonymized: without how its holders left)."""
    org, model, names = ctx.org, ctx.model, ctx.names
    baseline = sum(s["exits"] for s in res.table)
    out = []
    intervals: dict = {}                    # exits -> poisson_ci(exits): many seats share a count
    for s in res.table:
        if not s.get("flagged") or not s.get("expected"):
            continue
        m = costs.churn_seat_cost(s, model=model, org=org)
        ratio = s["exits"] / s["expected"]
        if s["exits"] not in intervals:
            intervals[s["exits"]] = poisson_ci(s["exits"])
        lo, hi = intervals[s["exits"]]
        out.append(candidate(
            "churn-seat",
            f"The {names.seat(s['position_id'])} in {names.program(s['program_id'])} has had "
            f"{plural(s['holders'], 'holder')} and {plural(s['exits'], 'exit')}, {ratio:.1f} times what the usual "
            f"exit rate predicts.",
            None,
            [f"{plural(s['exits'], 'exit')} vs {s['expected']:.2f} expected over {s['occupied_days']:,} occupied days "
             f"({_ci(lo / s['expected'], hi / s['expected'])}); median tenure "
             f"{s.get('median_tenure_days') or 0:.0f} days; {s.get('vacancy_days', 0):,} days vacant.",
             *[str(f) for f in (s.get("shared_factors") or [])
               if not (names.anonymized and _HOW_THEY_LEFT.search(str(f)))][:4]],
            test=("churn-seat", s["position_id"]), ratio=ratio, ci_low=lo / s["expected"], ci_high=hi / s["expected"],
            p_value=s.get("p_value"), subjects=[s["position_id"]], cost=m.get("excess_cost"),
            excess=max(s["exits"] - s["expected"], 0.0), exposed_exits=s["exits"], baseline_exits=baseline,
            exits=[d["staff_id"] for d in s.get("departures") or []]))
    return out


def watched_seats(res) -> list[dict]:
    """Seats that meet the holder rule but whose exits could be chance: examined, never claimed, never priced."""
    st = res.settings
    tested = sum(1 for s in res.table if s.get("p_adjusted") is not None)
    out = []
    for s in res.table:
        if s.get("watch") and s.get("expected"):
            out.append({"kind": "churn-seat", "subjects": [s["position_id"]],
                        "ratio": round(s["exits"] / s["expected"], 4),
                        "ci_low": None, "ci_high": None, "p_value": s.get("p_value"), "p_adjusted": s.get("p_adjusted"),
                        "reason": (f"it had {plural(s['max_holders_in_window'], 'holder')} within "
                                   f"{st['window_months']} months and {plural(s['exits'], 'exit')} against "
                                   f"{s['expected']:.1f} expected, but after testing {plural(tested, 'seat')} that "
                                   f"could be chance"), "said": False})
    return out


def _rate_candidate(kind, claim, plain, er, extra, model, org) -> dict | None:
    need = ("rate_ratio", "exits", "person_years", "reference_exits", "reference_person_years",
            "exit_rate_per_year", "reference_exit_rate_per_year")
    if not er or any(er.get(k) is None for k in need):
        return None
    m = costs.rate_excess_cost(er["exits"], er["person_years"], er["reference_exits"],
                               er["reference_person_years"], model=model, org=org)
    ev = [f"{er['group'][:1].upper()}{er['group'][1:]}: {er['exit_rate_per_year']:.0%} left per year vs "
          f"{er['reference_exit_rate_per_year']:.0%} for {er['reference']} — {er['rate_ratio']:.1f}× "
          f"({_ci(er.get('ci_low'), er.get('ci_high'))}; {plural(er['exits'], 'exit')} in "
          f"{er['person_years']:,.1f} person-years).", *extra,
          f"Exits beyond the usual rate over the period analysed: {m['excess_exits']:.1f}, costing about "
          f"{_money(m['excess_cost'])}."]
    return candidate(kind, claim, plain, ev, test=(kind,), ratio=er["rate_ratio"], ci_low=er.get("ci_low"),
                      ci_high=er.get("ci_high"), p_value=er.get("p_value"), cost=m["excess_cost"],
                      excess=m["excess_exits"], exposed_exits=er["exits"], reference_exits=er["reference_exits"],
                      reference_person_years=er["reference_person_years"])


def _program_candidate(kind, res, ctx: Context, top: dict, where: str, who: str, extra: list,
                       exposure: str) -> list[dict]:
    """A program-level candidate: ``where`` is said either way; that ``who`` leave more often only as a claim."""
    er = res.extras["exit_rate"]
    adj = ctx.adjusted(exposure)
    ratio = adj["ratio"] if adj else er["rate_ratio"]
    lo, hi = (adj["ci_low"], adj["ci_high"]) if adj else (er.get("ci_low"), er.get("ci_high"))
    claim = f"{where}, and {who} left {ratio:.1f} times as often."
    plain = f"{where}; {who} did not clearly leave more often ({ratio:.1f} times, {_ci(lo, hi)})."
    f = _use_adjusted(_rate_candidate(kind, claim, plain, er, extra, ctx.model, ctx.org), adj)
    if f:
        f["subjects"] = [top["program_id"]]
    return [f] if f else []


def caseload_findings(res, ctx: Context) -> list[dict]:
    """The program with the most high-caseload months; the claim is that sustained high caseloads mean exits."""
    progs = sorted(res.extras.get("by_program") or [], key=lambda r: -(r.get("share_above_cutoff") or 0))
    er = res.extras.get("exit_rate")
    if not progs or not er or er.get("rate_ratio") is None:
        return []
    top, names = progs[0], ctx.names
    pct, k = res.settings["percentile"], res.settings["consecutive_months"]
    where = (f"Caseloads run highest in {names.program(top['program_id'])}: {top['share_above_cutoff']:.0%} of its "
             f"clinician-months are above the org's {pct:.0f}th percentile")
    extra = [f"{names.program(r['program_id'])}: median {r['median']:.0f} clients, 90th percentile {r['p90']:.0f}, "
             f"{plural(r['sustained_people'], 'person', 'people')} above the cutoff for {k}+ months."
             for r in progs[:3]]
    return _program_candidate("caseload", res, ctx, top, where,
                              f"people carrying such caseloads for {k} months or more", extra,
                              "sustained_high_caseload") + _per_fte_candidate(res.extras.get("per_fte"))


def _per_fte_candidate(fit: dict | None) -> list[dict]:
    """The org's caseload-per-FTE relation: claimed only when its interval lies above 1 (no dollars: the
    what-if scenarios price it)."""
    if not fit or fit.get("hazard_ratio_per_10") is None or fit.get("p_value") is None:
        return []
    hr, lo, hi = fit["hazard_ratio_per_10"], fit["ci_low"], fit["ci_high"]
    numbers = (f"{plural(fit['exits'], 'clinician exit')} over {fit['person_months']:,.0f} clinician-months, "
               f"adjusted for tenure")
    claim = (f"Each 10 more active clients per clinical FTE went with {100 * (hr - 1):.0f}% more clinician exits "
             f"the next month ({hr:.2f} times; {numbers}).")
    plain = (f"Caseload per clinical FTE: {hr:.2f} times the exit rate per 10 more clients (95% CI "
             f"{lo:.2f}–{hi:.2f}; {numbers}), not enough to claim an effect.")
    ev = [f"Poisson regression of exits in month m+1 on active clients per FTE in month m, with tenure bands; "
          f"mean caseload {fit['mean_caseload_per_fte']:.1f} per FTE."]
    return [candidate("caseload-per-fte", claim, plain, ev, test=("caseload-per-fte",), ratio=hr, ci_low=lo,
                      ci_high=hi, p_value=fit["p_value"], exposed_exits=fit["exits"], reference_exits=fit["exits"],
                      reference_person_years=fit["person_months"] / 12)]


def documentation_findings(res, ctx: Context) -> list[dict]:
    """The program with the heaviest documentation; the claim is that high-burden months mean exits."""
    progs = sorted(res.extras.get("by_program") or [], key=lambda r: -(r.get("ratio") or 0))
    er = res.extras.get("exit_rate")
    if not progs or not er or er.get("rate_ratio") is None:
        return []
    top, names = progs[0], ctx.names
    thr = res.settings["threshold"]
    where = (f"In {names.program(top['program_id'])} documentation takes {top['ratio']:.2f} hours for every hour "
             f"of session")
    extra = [f"{names.program(r['program_id'])}: {r['ratio']:.2f} documentation hours per session hour; "
             f"{plural(r['people_at_or_above'], 'person', 'people')} at or above the threshold." for r in progs[:3]]
    return _program_candidate("documentation", res, ctx, top, where,
                              f"staff documenting at least {thr:g} hour per session hour", extra, "high_doc_burden")


def leading_findings(res, ctx: Context) -> list[dict]:
    """Clinician exits in the quarters after a program loses a supervisor."""
    w = res.extras.get("window")
    if not w or w.get("rate_ratio") is None:
        return []
    lag = res.settings["lag_quarters"]
    span = "two" if lag == 2 else str(lag)
    ratio = w["rate_ratio"]
    change = 100 * (ratio - 1)
    claim = (f"Programs that lost a supervisor saw clinician exits rise by {change:.0f}% over the next {span} "
             f"quarters ({ratio:.2f} times the usual rate).")
    plain = (f"Clinician exits in the {span} quarters after a program lost a supervisor were not clearly higher "
             f"({ratio:.2f} times, {_ci(w.get('ci_low'), w.get('ci_high'))}).")
    f = _rate_candidate("leading-indicator", claim, plain, w, [], ctx.model, ctx.org)
    if f:
        f["_mechanism"] = "supervisor-exit-pattern"
    return [f] if f else []


def departure_findings(res, ctx: Context) -> list[dict]:
    """What the people who left had in common: one candidate per over-represented group (no dollars)."""
    org, names = ctx.org, ctx.names

    def level(r):
        if r["factor"] == "supervisor" and r["level"] in org.by_id("staff", "name"):
            return names.staff(r["level"])
        if r["factor"] == "seat" and r["level"] in org.by_id("positions", "title"):
            return names.seat_id(r["level"])
        return r["level"]

    def among(r):
        if r["factor"] == "supervisor":
            return f"people supervised by {level(r)}"
        if r["factor"] == "seat":
            return f"holders of {names.seat(r['level'])}"
        return r["description"]

    out = []
    period = res.extras.get("period") or {}
    for r in res.table:
        if r.get("rate_ratio") is None or r["rate_ratio"] <= 1 or r.get("ci_low") is None:
            continue
        out.append(candidate(
            "common-factors",
            f"Between {period.get('start')} and {period.get('end')}, exits were {r['rate_ratio']:.1f} times as "
            f"frequent among {among(r)}.",
            None,
            [f"{r['factor'].replace('_', ' ')} = {level(r)}: {plural(r['exits'], 'exit')} among "
             f"{plural(r['people'], 'person', 'people')}, {r['rate_ratio']:.1f}× the exit rate of everyone else "
             f"({_ci(r.get('ci_low'), r.get('ci_high'))})."],
            test=("departures", r["factor"], r["level"]), ratio=r["rate_ratio"], ci_low=r["ci_low"],
            ci_high=r["ci_high"], p_value=r["p_value"], exposed_exits=r["exits"],
            reference_exits=res.extras["exits"] - r["exits"], mechanism="descriptive"))
    return out


def continuity_findings(res, ctx: Context) -> list[dict]:
    """Clients whose clinician left mid-treatment (descriptive: no claim of cause, no dollars)."""
    t = res.extras.get("totals") or {}
    if not t.get("clients_served") or not t.get("clients_affected"):
        return []
    ev = [f"{r.get('year')}: {plural(r.get('clients_affected', 0), 'client')} affected"
          for r in (res.extras.get("by_year") or [])]
    return [candidate("continuity", res.summary or "", res.summary or "", ev, test=None, ratio=None, ci_low=None,
                       ci_high=None, p_value=None, mechanism="descriptive")]
