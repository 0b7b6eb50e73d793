"""The claims gate: which findings the audit states, and dollars that add up.

A candidate finding (:mod:`orgraph.report.findings`) is *stated* as a claim
only when all of these hold:

* its ratio is above 1 and its 95% interval lies entirely above 1 -- the
  direction its sentence claims;
* there is enough data behind it: for a rate comparison, at least
  ``[audit] min_exits`` exits among the exposed and in the reference group,
  and ``[audit] min_reference_person_years`` person-years in the reference
  group; for an observed-versus-expected test (a cascade, a seat: flagged by
  its own analysis with its own minimum of exits), at least
  ``[audit] min_baseline_exits`` exits behind the expected count;
* it survives one Benjamini-Hochberg pass at ``[audit] fdr`` over *every*
  hypothesis the audit tested (:func:`orgraph.report.findings.hypotheses`),
  stated or not.

A candidate that fails is either said plainly, without a claim and without
dollars (its ``_plain`` sentence: "caseloads run highest in X; people ... did
not clearly leave more often"), or not said at all; either way it is listed in
``examined`` with its numbers and the reason.

Dollars go only with stated claims, and are made to add up: the cascades and
the leading indicator are one mechanism with the org-level cascade pattern
(when the pattern is stated the individual cascades are shown as part of it,
and the leading indicator carries no dollars of its own); likewise one overloaded
supervisor's team is part of the org-level overloaded-supervision total when that is stated; an exit is priced in
at most one cascade (the most recent supervisor exit before it); and if the
findings' dollars still sum past what every exit in the period cost, they are
scaled down together, and a note says so.

Examples
--------
>>> c = [{"kind": "x", "headline": "X leave 2.0 times as often.", "evidence": [], "ratio": 2.0, "ci_low": 1.4,
...       "ci_high": 2.9, "p_value": 0.001, "subjects": [], "_test": ("x",), "_plain": None, "_cost": 5000.0,
...       "_excess": 2.0, "_exposed_exits": 12, "_reference_exits": 40, "_reference_person_years": 100.0,
...       "_baseline_exits": None, "_mechanism": "x", "_exits": ()}]
>>> found, examined, notes = state(c, {("x",): 0.001, ("y",): 0.5}, total_cost=10000.0)
>>> found[0]["estimated_cost"], found[0]["p_adjusted"], found[0]["certainty"], examined
(5000.0, 0.002, 'high', [])
"""
from __future__ import annotations

from ..config import DEFAULTS
from ..stats import bh_adjust
from .findings import WEIGHT, certainty
from .words import interval, money, plural

__all__ = ["state", "adjusted"]


def adjusted(family: dict) -> dict:
    """Benjamini-Hochberg adjusted p-values for every hypothesis of the audit, by key."""
    keys = list(family)
    return dict(zip(keys, bh_adjust([family[k] for k in keys])))


def _why_not(c: dict, p_adj, st: dict) -> str | None:
    """Why a candidate is not stated as a claim, or ``None`` when it is."""
    if c["_test"] is None or c["ratio"] is None:
        return "no test of an effect"
    if c["ratio"] <= 1 or c["ci_low"] is None or c["ci_low"] <= 1:
        return (f"its 95% interval ({interval(c['ci_low'], c['ci_high'])}) does not lie above 1: it could be "
                f"chance")
    ref_e, ref_py = c["_reference_exits"], c["_reference_person_years"]
    if ref_e is not None and c["_exposed_exits"] < st["min_exits"]:
        return f"only {plural(c['_exposed_exits'], 'exit')} among the exposed (at least {st['min_exits']} needed)"
    if ref_e is not None and ref_e < st["min_exits"]:
        return f"only {plural(ref_e, 'exit')} to compare with (at least {st['min_exits']} needed)"
    if ref_py is not None and ref_py < st["min_reference_person_years"]:
        return (f"only {ref_py:,.1f} person-years to compare with (at least "
                f"{st['min_reference_person_years']:g} needed)")
    base = c["_baseline_exits"]
    if base is not None and base < st["min_baseline_exits"]:
        return (f"the usual exit rate rests on only {plural(base, 'exit')} (at least {st['min_baseline_exits']} "
                f"needed)")
    if p_adj is None:
        return "no p-value could be computed for it"
    if p_adj > st["fdr"]:
        return (f"after adjusting for the {plural(st['_tests'], 'test')} of this audit its p-value is "
                f"{p_adj:.2g}, above the false discovery rate {st['fdr']:g}: it could be chance")
    return None


def state(candidates: list[dict], family: dict, *, total_cost: float | None = None, settings: dict | None = None
          ) -> tuple[list[dict], list[dict], list[str]]:
    """Apply the gate to every candidate: ``(findings, examined, notes)``.

    Parameters
    ----------
    candidates : list of dict
        From the ``*_findings`` functions of :mod:`orgraph.report.findings`.
    family : dict
        ``{hypothesis key: p-value}`` for every test of the audit.
    total_cost : float, optional
        What every exit in the period cost; the findings' dollars never sum past it.
    settings : dict, optional
        The ``[audit]`` settings (default: :data:`orgraph.config.DEFAULTS`).

    Returns
    -------
    findings : list of dict
        Stated findings and plain (descriptive) ones, unranked, in the
        ``findings.json`` shape: ``estimated_cost`` is 0 without a claim.
    examined : list of dict
        Every candidate not stated as a claim: ``kind``, ``subjects``,
        ``ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``p_adjusted``,
        ``reason`` and ``said`` (whether it is still said plainly).
    notes : list of str
        How the dollars were made to add up, when they had to be.
    """
    st = dict(DEFAULTS["audit"], **(settings or {}))
    st["_tests"] = len(family)
    p_adj = adjusted(family)
    out, examined, notes = [], [], []
    for c in candidates:
        pa = p_adj.get(c["_test"]) if c["_test"] is not None else None
        why = _why_not(c, pa, st)
        c = dict(c, p_adjusted=None if pa is None else round(float(pa), 8), _stated=why is None)
        if why is not None and c["_test"] is not None:
            examined.append({"kind": c["kind"], "subjects": c["subjects"], "ratio": c["ratio"],
                             "ci_low": c["ci_low"], "ci_high": c["ci_high"], "p_value": c["p_value"],
                             "p_adjusted": c["p_adjusted"], "reason": why, "said": c["_plain"] is not None})
        if why is None or c["_plain"] is not None:
            out.append(c)
    _price(out, notes, total_cost)
    return [_public(c) for c in out], examined, notes


def _price(found: list[dict], notes: list[str], total_cost: float | None) -> None:
    """Dollars for stated claims only; one mechanism priced once; an exit priced in one cascade at most."""
    pattern = any(c["_stated"] and c["kind"] == "cascade-pattern" for c in found)
    overload = any(c["_stated"] and c["kind"] == "overloaded-supervision" for c in found)
    priced_exits: set = set()
    cascades = sorted((c for c in found if c["_stated"] and c["kind"] == "cascade"),
                      key=lambda c: c["_test"][2], reverse=True)
    for c in found:
        c["estimated_cost"] = 0.0
        if not c["_stated"] or c["_mechanism"] == "descriptive":
            continue
        if c["kind"] == "leading-indicator" and pattern:
            c["evidence"].append("The same mechanism as the org-level cascade pattern, seen by program and quarter; "
                                 "its dollars are counted there.")
            continue
        if c["kind"] == "overloaded-supervisor" and overload:
            c["evidence"].append(f"About {money(c['_cost'])} of excess turnover cost, part of the org-level total "
                                 f"for overloaded supervision (not added to it).")
            continue
        if c["kind"] == "cascade" and pattern:
            c["evidence"].append(f"About {money(c['_cost'])} of excess turnover cost, part of the org-level cascade "
                                 f"pattern's total (not added to it).")
            continue
        c["estimated_cost"] = c["_cost"]
    for c in cascades:                       # most recent supervisor exit first: an exit is priced once
        if pattern:
            break
        mine = [s for s in c["_exits"] if s not in priced_exits]
        priced_exits.update(mine)
        if c["_exits"] and len(mine) < len(c["_exits"]):
            share = len(mine) / len(c["_exits"])
            c["estimated_cost"] = round(c["_cost"] * share, 2)
            c["evidence"].append(f"{plural(len(c['_exits']) - len(mine), 'exit')} of this team also followed a "
                                 f"later supervisor exit and {'is' if len(c['_exits']) - len(mine) == 1 else 'are'} "
                                 f"priced there.")
    total = sum(c["estimated_cost"] for c in found)
    if total_cost is not None and total > total_cost > 0:
        f = total_cost / total
        for c in found:
            c["estimated_cost"] = round(c["estimated_cost"] * f, 2)
        notes.append(f"The findings overlap (the same exits appear under several causes): their dollars were scaled "
                     f"by {f:.2f} so that together they do not exceed the {money(total_cost)} every exit in the "
                     f"period cost.")
    for c in found:
        if c["_stated"] and c["estimated_cost"]:
            c["evidence"].append(f"Estimated cost in the period analysed: {money(c['estimated_cost'])}.")


def _public(c: dict) -> dict:
    stated = c["_stated"]
    cert = certainty(c["p_adjusted"]) if stated and c["_test"] is not None else "descriptive"
    cost = round(float(c["estimated_cost"] or 0.0), 2)
    return {"kind": c["kind"], "headline": c["headline"] if stated else c["_plain"], "evidence": c["evidence"],
            "claim": stated and c["_test"] is not None, "estimated_cost": cost, "certainty": cert,
            "p_value": c["p_value"], "p_adjusted": c["p_adjusted"], "ratio": c["ratio"], "ci_low": c["ci_low"],
            "ci_high": c["ci_high"], "subjects": c["subjects"], "score": round(cost * WEIGHT[cert], 2)}
