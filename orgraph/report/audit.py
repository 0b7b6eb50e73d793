"""The root-cause audit: every analysis, turned into ranked findings a COO can act on.

:func:`run_audit` runs the analyses of the registry, turns what they found
into findings (:mod:`orgraph.report.findings`: one sentence each, the evidence
behind it, a dollar estimate and how sure we are) and ranks them by estimated
cost weighted by certainty. :func:`report_markdown` is the analyst's memo;
:func:`orgraph.writers.write_audit` writes it with ``findings.json`` and the pack.
"""
from __future__ import annotations

import html
from typing import Callable

import pandas as pd

from ..analyses.cost import cost_model
from ..collector import paused
from ..analyses.exposure import observed_from
from ..graph import OrgGraph
from ..plain import jsonable
from ..privacy import coarsen_dates, suppress
from ..registry import NOT_RUN
from ..settings import analysis_cut, resolve
from ..summary import org_summary
from .costs import finance_headlines
from .claims import state
from .findings import Context, Names, _money, hypotheses, watched_seats
from .words import money, plural

__all__ = ["run_audit", "report_markdown", "total_exit_cost", "untestable", "bottom_line", "md", "READS_AFTER"]

#: Kinds of shared table (:func:`orgraph.analyses.shared.kind`) the audit reads once its analyses have run: the
#: cost model's vacancy days. Every other shared table is dropped after its last analysis.
READS_AFTER = frozenset({"vacancy_days_by_role"})


def run_audit(org: OrgGraph, *, as_of=None, anonymize: bool = False, key: str | None = None,
              progress: Callable[[str], None] | None = None, analyses=None, release_tables: bool = False,
              beside: bool = False) -> dict:
    """Run every analysis of the registry and rank what they found.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Audit the org as of this date (default: the last day of data).
    anonymize, key : bool, str
        Use keyed pseudonyms instead of names and seat ids in the findings, show every date but ``as_of``
        as its month, never say how a person left, and suppress yearly exit counts of fewer than
        ``[privacy] min_cell`` people.
    progress : callable, optional
        Called with each step's label before it runs.
    analyses : list of Analysis, optional
        Default: :data:`orgraph.registry.ANALYSES`, those marked for the audit.
    release_tables : bool
        Let go of each large bundle table once its last analysis has run (``release`` of
        :func:`orgraph.registry.run_analyses`), for a caller done with the org's monthly records afterwards.
    beside : bool
        Run the analyses that can in a second process beside the others (``beside`` of
        :func:`orgraph.registry.run_analyses`): the same answers, sooner on a machine with a second core.

    Returns
    -------
    dict
        ``as_of``, ``window_start`` (the first day exits are observed),
        ``org`` (summary), ``headlines`` (finance sentences), ``findings``
        (ranked; each with ``rank``, ``kind``, ``headline``, ``evidence``,
        ``claim``, ``estimated_cost``, ``certainty``, ``p_value``,
        ``p_adjusted``, ``ratio``, ``ci_low``, ``ci_high``, ``subjects``,
        ``score``), ``risk_validation`` (``concordance``, ``ci_low``, ``ci_high``,
        ``exits``, ``withheld``, ``reason``: how well the risk list ranked the
        exits that followed a date before ``as_of``; ``at_risk`` is empty when
        the list is withheld), ``total_exit_cost`` (``period_start``, ``period_end``,
        ``exits``, ``cost``: every exit of the period the findings cover; their
        ``estimated_cost`` values never sum past it), ``examined`` (what was
        tested and is not stated as a claim, with the reason), ``untestable``
        (what the data could not answer), ``at_risk`` (top of the risk list),
        ``notes`` and ``results`` (every analysis's
        :class:`~orgraph.result.Result`).
    """
    from ..registry import ANALYSES, run_analyses

    entries = [a for a in (analyses if analyses is not None else ANALYSES) if a.audit]
    day = (analysis_cut(org, as_of) - pd.Timedelta(days=1)).date()
    names = Names(org, anonymize, key)
    results, notes = run_analyses(org, as_of=day, progress=progress, analyses=entries, then_reads=READS_AFTER,
                                  release=release_tables, beside=beside)
    with paused():                      # findings are many small records: no collection walks the org meanwhile
        return _ranked(org, results, notes, entries, day, names, anonymize)


def _ranked(org: OrgGraph, results: dict, notes: list, entries: list, day, names: Names, anonymize: bool) -> dict:
    """The rest of :func:`run_audit` once the analyses have run: findings stated and ranked, finance headlines,
    the risk list's top and its check."""
    ctx = Context(org, names, cost_model(org, as_of=day), results)
    candidates: list[dict] = []
    for a in entries:
        res = results.get(a.name)
        if res is not None and a.findings is not None:
            candidates += a.findings(res, ctx)
    candidates = [c for c in candidates if c["headline"]]
    start = observed_from(org, pd.Timestamp(day) + pd.Timedelta(days=1))
    total = total_exit_cost(results.get("cost"), start, day)
    found, examined, cost_notes = state(candidates, hypotheses(results), total_cost=total["cost"],
                                        settings=resolve(org, "audit"))
    if results.get("churn") is not None:
        examined += watched_seats(results["churn"])
    if anonymize:                       # every id a finding names goes through the one pseudonymizer
        for item in found + examined:
            item["subjects"] = [names.subject(x) for x in item["subjects"]]
            for k in ("headline", "reason"):
                if item.get(k):
                    item[k] = names.scrub(item[k])
            if item.get("evidence"):
                item["evidence"] = [names.scrub(e) for e in item["evidence"]]
    found.sort(key=lambda f: (-f["score"], -(f["estimated_cost"] or 0), not f["claim"],
                              f["p_adjusted"] if f["p_adjusted"] is not None else 1.0))
    for i, f in enumerate(found, 1):
        f["rank"] = i
    cell = resolve(org, "privacy")["min_cell"]
    headlines = finance_headlines(org, as_of=day, min_cell=cell if anonymize else None, cost=results.get("cost"))
    risk = results.get("risk")
    validation = risk.extras.get("validation") if risk is not None else None
    shown = risk is not None and validation is not None and not validation.get("withheld")
    at_risk = []
    for r in (risk.table if shown else [])[:10]:
        r = dict(r)
        if anonymize:
            for k in ("staff_id", "supervisor_id", "position_id"):
                if r.get(k) is not None:
                    r[k] = names.subject(r[k])
            r.pop("name", None)
            r.pop("details", None)          # its sentences name seats and supervisors
            r.pop("tenure_days", None)      # with the date, it gives the hire date back (tenure_band stays)
        at_risk.append(r)
    audit = jsonable({"as_of": day, "window_start": start, "org": org_summary(org), "headlines": headlines,
                      "total_exit_cost": total, "findings": found, "examined": examined,
                      "untestable": untestable(results, notes), "at_risk": at_risk,
                      "risk_validation": _risk_validation(validation),
                      "risk_summary": names.scrub(risk.summary) if risk is not None else None, "notes": notes + cost_notes})
    if anonymize:
        audit = _anonymized(audit, cell)
    audit["results"] = results
    return audit


def _anonymized(audit: dict, min_cell: int) -> dict:
    """The audit as anonymized output shows it: every date but the day it is as of as its month, and yearly
    exits of fewer than ``min_cell`` people by role kind suppressed (with the rate that would give them back)."""
    day = audit["as_of"]
    audit = {**coarsen_dates(audit), "as_of": day}
    if audit.get("total_exit_cost"):
        audit["total_exit_cost"]["period_end"] = day
    rows = []
    for r in audit["org"]["exits_by_year"]:
        r = dict(r, exits=suppress(r["exits"], min_cell), headcount_start=suppress(r["headcount_start"], min_cell))
        if isinstance(r["exits"], str) or isinstance(r["headcount_start"], str):
            r["rate"] = None
        rows.append(r)
    audit["org"]["exits_by_year"] = rows
    return audit


def bottom_line(audit: dict) -> list[str]:
    """What exits cost in the period the findings cover, what the findings explain of it, and whether the risk
    list can be trusted: the sentences a pack opens with."""
    out = []
    t = audit.get("total_exit_cost")
    if t:
        explained = sum(f["estimated_cost"] or 0 for f in audit["findings"])
        out.append(f"From {t['period_start']} to {t['period_end']}, {plural(t['exits'], 'exit')} cost an estimated "
                   f"{money(t['cost'])}; the findings below account for {money(explained)} of it.")
    rv = audit.get("risk_validation") or {}
    if rv.get("withheld"):
        out.append(f"The list of who is at risk now is withheld. {rv.get('reason') or ''}".strip())
    elif rv.get("concordance") is not None:
        out.append(f"Checked on past exits, the risk list ranked leavers above stayers {rv['concordance']:.0%} of the "
                   f"time (95% interval {rv['ci_low']:.0%}–{rv['ci_high']:.0%}).")
    return out


def _risk_validation(v: dict | None) -> dict:
    """The risk list's check on past exits, as ``findings.json`` reports it."""
    if v is None:
        return {"concordance": None, "ci_low": None, "ci_high": None, "exits": 0, "withheld": True,
                "reason": "The risk list could not be made (see notes)."}
    keys = ("concordance", "ci_low", "ci_high", "exits", "people", "trained_until", "horizon_days", "withheld",
            "reason", "deciles")
    return {k: v.get(k) for k in keys}


def total_exit_cost(cost, start, day) -> dict:
    """Every exit from ``start`` to ``day`` and what it cost (from the ``cost`` analysis's result).

    Examples
    --------
    >>> from orgraph.result import Result
    >>> r = Result("cost", "2024-12-31", {}, [], "", {"exits": [{"exit_date": "2023-05-01", "cost": 100.0},
    ...                                                      {"exit_date": "2024-02-01", "cost": 50.0}]})
    >>> total_exit_cost(r, pd.Timestamp("2024-01-01"), "2024-12-31")
    {'period_start': '2024-01-01', 'period_end': '2024-12-31', 'exits': 1, 'cost': 50.0}
    """
    first = pd.Timestamp(start).date().isoformat()
    last = str(day)
    exits = [e for e in (cost.extras["exits"] if cost is not None else []) if first <= e["exit_date"] <= last]
    return {"period_start": first, "period_end": last, "exits": len(exits),
            "cost": round(float(sum(e["cost"] for e in exits)), 2)}


def untestable(results: dict, notes=()) -> list[str]:
    """What the data could not answer, in plain sentences (said, never dressed as a finding).

    Every analysis's :attr:`~orgraph.result.Result.untested`, in the registry's order, then each analysis
    that could not run (the ``"...: not run — why"`` notes of :func:`~orgraph.registry.run_analyses`),
    each sentence once.

    Examples
    --------
    >>> from orgraph.result import Result
    >>> untestable({"a": Result("a", None, {}, [], untested=["No x, so y could not be tested."]), "b": None},
    ...            ["b: not run — no b data", "a note", "c: not run — No x, so y could not be tested."])
    ['No x, so y could not be tested.', 'b: not run — no b data']
    """
    out: list[str] = []
    for res in results.values():
        for sentence in getattr(res, "untested", None) or ():
            if sentence not in out:
                out.append(sentence)
    out += [n for n in notes if NOT_RUN in n and n not in out and n.split(NOT_RUN, 1)[1] not in out]
    return out


def md(text, *, cell: bool = False) -> str:
    r"""Data-derived text made safe for Markdown: HTML and link syntax are escaped (a name such as
    ``<img src=x onerror=...>`` or ``[x](javascript:...)`` is shown, not rendered), and ``|`` in table cells.

    Examples
    --------
    >>> print(md("<img src=x onerror=alert(1)> [a](b)"), md("a|b", cell=True))
    &lt;img src=x onerror=alert(1)&gt; \[a\](b) a\|b
    """
    out = html.escape(str(text), quote=False).replace("[", "\\[").replace("]", "\\]")
    return out.replace("|", "\\|") if cell else out


_KIND_WORDS = {"cascade": "supervisor-exit cascades", "cascade-pattern": "the org-level cascade pattern",
               "churn-seat": "churn seats", "overloaded-supervision": "exits under overloaded supervisors",
               "caseload": "exits after sustained high caseloads", "documentation": "exits after high documentation "
               "burden", "leading-indicator": "supervisor exits as a leading indicator",
               "common-factors": "groups over-represented among leavers",
               "caseload-per-fte": "exits per 10 more clients per clinical FTE",
               "overloaded-supervisor": "exits under one overloaded supervisor"}


def report_markdown(audit: dict) -> str:
    """The audit as an analyst's memo in Markdown."""
    o = audit["org"]
    window = audit.get("window_start") or o["date_from"]
    lines = [f"# Turnover root-cause audit — {audit['as_of']}", "",
             f"Data: {o['staff']} people, {o['positions']} seats, {o['programs']} programs; exits observed from "
             f"{window} to {o['date_to']}.", ""]
    t = audit.get("total_exit_cost")
    stated = [f for f in audit["findings"] if f.get("claim")]
    if audit["headlines"] or t:
        lines += ["## The bottom line", ""] + [f"- {md(h)}" for h in audit["headlines"]]
        if t:
            lines.append(f"- {md(bottom_line(audit)[0])}")
        lines.append("")
    lines += ["## Findings, ranked by estimated cost and certainty", ""]
    if not stated:
        lines += ["No structural pattern passed the audit's tests at the configured thresholds "
                  "([audit] in orgraph.toml).", ""]
    for f in audit["findings"]:
        cost = f" · estimated cost {_money(f['estimated_cost'])}" if f["estimated_cost"] else ""
        word = f["certainty"] if f.get("claim") else "descriptive (no claim of an effect)"
        lines += [f"### {f['rank']}. {md(f['headline'])}", "", f"*Certainty: {word}{cost}*", ""]
        lines += [f"- {md(e)}" for e in f["evidence"]] + [""]
    examined = audit.get("examined") or []
    if audit.get("untestable"):
        lines += ["## What this data could not answer", ""] + [f"- {md(u)}" for u in audit["untestable"]] + [""]
    if examined:
        lines += ["## Examined, and not claimed", ""]
        by_kind: dict[str, list] = {}
        for e in examined:
            by_kind.setdefault(e["kind"], []).append(e)
        for kind, items in by_kind.items():
            what = _KIND_WORDS.get(kind, kind)
            if len(items) == 1:
                e = items[0]
                lines.append(f"- {what[:1].upper()}{what[1:]}: {e['ratio']:.2f} times the usual rate; not claimed "
                             f"because {md(e['reason'])}.")
            else:
                lines.append(f"- {what[:1].upper()}{what[1:]}: {plural(len(items), 'candidate')} not claimed (for "
                             f"example, {md(items[0]['reason'])}).")
            if kind == "churn-seat":
                top = sorted(items, key=lambda e: -(e["ratio"] or 0))[:5]
                lines.append("  Seats to watch, with exits against the number expected: "
                             + "; ".join(f"{md(e['subjects'][0])} ({e['ratio']:.1f} times)" for e in top) + ".")
        lines.append("")
    rv = audit.get("risk_validation") or {}
    if rv.get("withheld"):
        lines += ["## Who is at risk now", "", md(f"The ranked list is withheld. {rv.get('reason') or ''}".strip()), ""]
    if audit.get("at_risk"):
        lines += ["## Who is at risk now", ""]
        if audit.get("risk_summary"):
            lines += [md(audit["risk_summary"]), ""]
        lines += ["| staff | score | risk factors |", "|---|---|---|"]
        for r in audit["at_risk"]:
            who = r.get("name") and f"{r['name']} ({r['staff_id']})" or r.get("staff_id")
            factors = r.get("factors") or r.get("risk_factors") or []
            if isinstance(factors, list):
                factors = ", ".join(str(x if not isinstance(x, dict) else x.get("factor", x)) for x in factors)
            lines.append(f"| {md(who, cell=True)} | {r.get('score', '')} | {md(factors, cell=True)} |")
        lines.append("")
    other = [n for n in audit.get("notes") or () if NOT_RUN not in n]    # the others are said above
    if other:
        lines += ["## Notes", ""] + [f"- {md(n)}" for n in other] + [""]
    lines += ["## How to read this", "",
              "Each finding compares what happened with what the org's own usual exit rate predicts. A finding "
              "claims an effect only when its 95% interval lies above 1, enough exits stand behind it, and it "
              "survives one Benjamini–Hochberg adjustment over every test this audit ran; otherwise it is said "
              "plainly or listed above as examined. Dollar figures use the cost model in `orgraph cost` and its "
              "documented assumptions (`orgraph.toml` [cost]); they are given only for claims, count each exit "
              "once, and never add up to more than all exits cost in the period. See docs/statistics.md.", ""]
    return "\n".join(lines)
