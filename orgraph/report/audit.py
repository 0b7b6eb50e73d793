"""The root-cause audit: every analysis, turned into ranked findings a COO can act on.

:func:`run_audit` runs the analyses of the registry, turns what they found
into findings (:mod:`orgraph.report.findings`: one sentence each, the evidence
behind it, a dollar estimate and how sure we are) and ranks them by estimated
cost weighted by certainty. :func:`report_markdown` is the analyst's memo;
:func:`orgraph.writers.write_audit` writes it with ``findings.json`` and the pack.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from ..analyses.cost import cost_model
from ..analyses.exposure import observed_from
from ..graph import OrgGraph
from ..plain import jsonable
from ..settings import analysis_cut
from ..summary import org_summary
from .costs import finance_headlines
from .findings import Context, Names, _money

__all__ = ["run_audit", "report_markdown"]


def run_audit(org: OrgGraph, *, as_of=None, anonymize: bool = False, key: str | None = None,
              progress: Callable[[str], None] | None = None, analyses=None) -> dict:
    """Run every analysis of the registry and rank what they found.

    Parameters
    ----------
    org : OrgGraph
    as_of : date, optional
        Audit the org as of this date (default: the last day of data).
    anonymize, key : bool, str
        Use keyed pseudonyms instead of names in the findings.
    progress : callable, optional
        Called with each step's label before it runs.
    analyses : list of Analysis, optional
        Default: :data:`orgraph.registry.ANALYSES`, those marked for the audit.

    Returns
    -------
    dict
        ``as_of``, ``org`` (summary), ``headlines`` (finance sentences),
        ``findings`` (ranked; each with ``rank``, ``kind``, ``headline``,
        ``evidence``, ``estimated_cost``, ``certainty``, ``p_value``, ``ratio``,
        ``ci_low``, ``ci_high``, ``subjects``, ``score``), ``at_risk`` (top of the
        risk list), ``notes`` (analyses that could not run) and ``results``
        (every analysis's :class:`~orgraph.result.Result`).
    """
    from ..registry import ANALYSES, run_analyses

    entries = [a for a in (analyses if analyses is not None else ANALYSES) if a.audit]
    day = (analysis_cut(org, as_of) - pd.Timedelta(days=1)).date()
    names = Names(org, anonymize, key)
    results, notes = run_analyses(org, as_of=day, progress=progress, analyses=entries)
    ctx = Context(org, names, cost_model(org, as_of=day))
    found: list[dict] = []
    for a in entries:
        res = results.get(a.name)
        if res is not None and a.findings is not None:
            found += a.findings(res, ctx)
    found = [f for f in found if f["headline"]]
    found.sort(key=lambda f: (-f["score"], -(f["estimated_cost"] or 0), f["p_value"] if f["p_value"] is not None
                              else 1.0))
    for i, f in enumerate(found, 1):
        f["rank"] = i
    headlines = finance_headlines(org, as_of=day)
    risk = results.get("risk")
    at_risk = []
    for r in (risk.table if risk is not None else [])[:10]:
        r = dict(r)
        if anonymize and "staff_id" in r:
            r["staff_id"] = names.staff(r["staff_id"])
            r.pop("name", None)
        at_risk.append(r)
    audit = jsonable({"as_of": day, "window_start": observed_from(org), "org": org_summary(org),
                      "headlines": headlines, "findings": found, "at_risk": at_risk,
                      "risk_summary": risk.summary if risk is not None else None, "notes": notes})
    audit["results"] = results
    return audit


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
