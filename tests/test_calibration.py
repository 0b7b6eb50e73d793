"""Calibration and recall of the audit's claims, on synthetic orgs whose truth is known.

Null orgs plant nothing (``orgraph synth --null``), leave early in tenure as real clinicians do (Weibull shape
0.6) and are exported mid-history without saying so (``--export-from``): the share of them that gets any
dollar-bearing claim must stay within the nominal rate plus binomial slack. Planted orgs, exported whole and
cut, must still have their plants named.
"""
from __future__ import annotations

import math

import pytest

from orgraph.report.audit import run_audit

#: The audit's false discovery rate ([audit] fdr): with nothing planted every claim is false, so Benjamini-Hochberg
#: keeps the chance of any claim in an org at or below it.
NOMINAL = 0.10
NULL_SEEDS = range(1, 21)


def _binomial_upper(n: int, p: float, tail: float = 0.01) -> int:
    """The smallest k with P(X > k) <= tail for X ~ Binomial(n, p)."""
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        if 1 - cdf <= tail:
            return k
    return n


def _audit(synth_org, **kw):
    _, org, truth = synth_org(**kw)
    return run_audit(org), truth


@pytest.mark.slow
def test_null_orgs_rarely_get_a_dollar_claim(synth_org):
    # measured: 1 of 20 null orgs (150 staff x 5 years, Weibull 0.6, export from 2023-01-01) got a dollar claim, a
    # churn seat; before tenure-adjusted expectations, in-window person-time and the claims gate, 19 of 30 such
    # orgs got churn seats flagged and 33 findings carried dollars.
    with_dollars = []
    for seed in NULL_SEEDS:
        audit, truth = _audit(synth_org, staff=150, years=5, seed=seed, null=True, tenure_shape=0.6,
                              export_from="2023-01-01")
        assert truth.get("null") is True
        costly = [f for f in audit["findings"] if f["estimated_cost"]]
        if costly:
            with_dollars.append((seed, [f["kind"] for f in costly]))
        for f in audit["findings"]:
            if f["estimated_cost"]:
                assert f["claim"] and f["ratio"] > 1 and f["ci_low"] > 1
        assert sum(f["estimated_cost"] for f in audit["findings"]) <= audit["total_exit_cost"]["cost"]
    limit = _binomial_upper(len(NULL_SEEDS), NOMINAL)       # 5 of 20: P(more) < 1% at the nominal rate
    assert len(with_dollars) <= limit, with_dollars


def _named(audit, kind):
    """Subjects a finding of ``kind`` names (stated, or said plainly), and those it claims."""
    named, claimed = set(), set()
    for f in audit["findings"]:
        if f["kind"] == kind:
            named |= set(f["subjects"])
            if f["claim"]:
                claimed |= set(f["subjects"])
    examined = {s for e in audit["examined"] if e["kind"] == kind for s in e["subjects"]}
    return named, claimed, examined


@pytest.mark.slow
@pytest.mark.parametrize("cut", [False, True], ids=["full export", "cut export"])
def test_planted_patterns_are_named(synth_org, cut):
    # measured over seeds 1-3 (400 staff x 5 years): full exports claim 27/27 cascades, 2/3 overloaded supervisors
    # and 25/27 churn seats (all 27 at least examined); cut exports (Weibull 0.6, exported from 2023-01-01) claim
    # 21/21 cascades and 3/5 overloaded supervisors but no churn seat (7-8 exits against 1.4-2 expected does not
    # survive the adjustment for ~250 seats): all 24 are examined ("could be chance"), not claimed. The planted
    # caseload and documentation programs are named every time.
    kw = dict(tenure_shape=0.6, export_from="2023-01-01") if cut else {}
    totals = {"cascade": [0, 0], "churn": [0, 0, 0]}
    for seed in (1, 2, 3):
        audit, truth = _audit(synth_org, staff=400, years=5, seed=seed, **kw)
        _, claimed, _ = _named(audit, "cascade")
        planted = {c["supervisor_id"] for c in truth["cascades"]}
        totals["cascade"][0] += len(planted)
        totals["cascade"][1] += len(planted & claimed)
        named, _, _ = _named(audit, "caseload")
        assert truth["caseload_program"]["program_id"] in named
        named, _, _ = _named(audit, "documentation")
        assert truth["documentation_program"]["program_id"] in named
        _, claimed, examined = _named(audit, "churn-seat")
        seats = {s["position_id"] for s in truth["churn_seats"]}
        totals["churn"][0] += len(seats)
        totals["churn"][1] += len(seats & claimed)
        totals["churn"][2] += len(seats & (claimed | examined))
    planted, found = totals["cascade"]
    assert found >= planted - 1, totals
    seats, claimed, seen = totals["churn"]
    assert seen >= seats - 2, totals                      # every planted churn seat is at least examined
    if not cut:
        assert claimed >= seats - 3, totals
