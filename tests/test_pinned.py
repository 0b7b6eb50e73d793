"""The numbers every analysis reports on the bundled example, pinned before the results took one shape.

``tests/data/riverbend_pinned.json.gz`` holds each analysis's output on
``examples/riverbend`` as it was when every analysis returned a dict of its
own shape. Each test puts the new :class:`~orgraph.result.Result` back into
that old shape and requires every number and word to be unchanged, except
where a fix is named: nested cascades carry full records (and so cost what
their exits cost), missing dates are ``null`` instead of ``"NaT"``, and the
post-exit window is one setting.
"""
from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from orgraph.analyses import (caseload_distribution, continuity_of_care, departure_factors, documentation_burden,
                              overloaded_supervisors, risk_list, supervisor_cascades, supervisor_leading_indicator,
                              churn_seats, turnover_cost, cost_model)
from orgraph.plain import jsonable
from orgraph.report.scenarios import census_scenario, supervisor_leaves_scenario

PINNED = Path(__file__).parent / "data" / "riverbend_pinned.json.gz"


@pytest.fixture(scope="module")
def pinned():
    with gzip.open(PINNED, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _same(new, old, path="$"):
    """Raise AssertionError naming the first place where ``new`` differs from ``old``."""
    if old == "NaT":
        old = None
    if isinstance(old, dict):
        assert isinstance(new, dict), f"{path}: {type(new).__name__} instead of a dict"
        assert sorted(new) == sorted(old), f"{path}: keys {sorted(set(new) ^ set(old))} differ"
        for k in old:
            _same(new[k], old[k], f"{path}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{path}: list of {len(old)} expected"
        for i, (a, b) in enumerate(zip(new, old)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(old, float) and isinstance(new, (int, float)):
        assert math.isclose(new, old, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {new} != {old}"
    else:
        assert new == old, f"{path}: {new!r} != {old!r}"


def _plain(res, main: str, *, settings=True, summary=False):
    out = {main: res.table, **res.extras}
    if settings:
        out["settings"] = res.settings
    if summary:
        out["summary"] = res.summary
    return jsonable(out)


def _stub_children(cascades):
    return [dict(c, children=[{"supervisor_id": ch["supervisor_id"], "exit_date": ch["exit_date"]}
                              for ch in c["children"]]) for c in cascades]


def test_cascades(riverbend, pinned):
    got = _plain(supervisor_cascades(riverbend), "cascades")
    got["cascades"] = _stub_children(got["cascades"])
    _same(got, pinned["cascades"])


def test_nested_cascades_are_full_records(riverbend):
    res = supervisor_cascades(riverbend)
    nested = [ch for c in res.table for ch in c["children"]]
    assert nested, "the example has nested cascades"
    for ch in nested:
        assert ch in res.table and "departures" in ch and "observed" in ch


@pytest.mark.parametrize("name, fn, main", [("overload", overloaded_supervisors, "supervisors"),
                                            ("churn", churn_seats, "seats")])
def test_table_analyses(riverbend, pinned, name, fn, main):
    _same(_plain(fn(riverbend), main), pinned[name])


@pytest.mark.parametrize("name, fn", [("caseload", caseload_distribution), ("docburden", documentation_burden),
                                      ("continuity", continuity_of_care)])
def test_program_analyses(riverbend, pinned, name, fn):
    got = _plain(fn(riverbend), "records", summary=True)
    _same(got, pinned[name])


def test_leading(riverbend, pinned):
    res = supervisor_leading_indicator(riverbend)
    got = _plain(res, "records", summary=True)
    got["sentence"] = res.summary
    _same(got, pinned["leading"])


def test_departures(riverbend, pinned):
    res = departure_factors(riverbend)
    old = dict(pinned["departures"])
    old_settings = old.pop("settings")
    _same(_plain(res, "records", settings=False, summary=True), old)
    assert res.settings["window_days"] == old_settings["recent_supervisor_days"]
    assert res.settings["min_cell"] == old_settings["min_cell"]


def test_risk(riverbend, pinned):
    res = risk_list(riverbend)
    got = _plain(res, "records", summary=True)
    got["as_of"] = res.as_of
    _same(got, pinned["risk"])


def test_cost(riverbend, pinned):
    res = turnover_cost(riverbend)
    got = jsonable({"periods": res.table, "as_of": res.as_of, **res.extras})
    _same(got, pinned["cost"])
    _same(jsonable(cost_model(riverbend)), pinned["cost_model"])


def test_scenarios(riverbend, pinned):
    _same(jsonable(census_scenario(riverbend, program="OP", add_census=40)), pinned["scenario_census"])
    _same(jsonable(supervisor_leaves_scenario(riverbend, supervisor="S0040")), pinned["scenario_supervisor"])


def test_audit_findings(riverbend, pinned):
    """Every finding is as pinned except a cascade with nested cascades, which now adds their cost."""
    from orgraph.analyses.cost import cost_model
    from orgraph.report.audit import run_audit
    from orgraph.report.costs import cascade_cost

    audit = run_audit(riverbend)
    old = {(f["kind"], f["headline"]): f for f in pinned["audit"]["findings"]}
    new = {(f["kind"], f["headline"]): f for f in audit["findings"]}
    assert set(new) == set(old)
    res = audit["results"]["cascades"]
    by_sup = {c["supervisor_id"]: c for c in res.table}
    model = cost_model(riverbend)
    changed = 0
    for key, f in new.items():
        was = old[key]
        parent = by_sup.get(f["subjects"][0]) if f["kind"] == "cascade" else None
        if parent is not None and parent["children"]:
            nested = sum(cascade_cost(ch, model=model, org=riverbend)["total_excess_cost"]
                         for ch in parent["children"])
            assert nested > 0
            assert f["estimated_cost"] == pytest.approx(was["estimated_cost"] + nested, abs=0.02)
            changed += 1
            continue
        _same({k: v for k, v in f.items() if k != "rank"}, {k: v for k, v in was.items() if k != "rank"})
    assert changed == 1       # S0173, whose nested cascades cost $0 before
    audit["org"]["source"] = pinned["audit"]["org"]["source"]    # where the example was loaded from
    _same({k: audit[k] for k in ("headlines", "org", "at_risk", "risk_summary", "as_of", "window_start", "notes")},
          {k: pinned["audit"][k] for k in ("headlines", "org", "at_risk", "risk_summary", "as_of", "window_start",
                                           "notes")})
