"""What departures have in common: person-time rate ratios per factor level, suppression, BH."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.analyses.coverage import MISSING
from orgraph.analyses.departures import departure_factors, factor_context, monthly_factors
from orgraph.errors import AnalysisError
from test_caseload import build, four_clinicians

PERIOD = {"start": "2023-01-01", "end": "2023-04-30"}


def rec(res, factor, level):
    return next(r for r in res.table if r["factor"] == factor and r["level"] == level)


def test_rate_ratios_hand_computed():
    res = departure_factors(four_clinicians(), min_cell=1, **PERIOD)
    # Jan-Apr 2023: A 120 days, B 74 (leaves 15 Mar), C 120, D 100 (leaves 10 Apr), S 120 -> 534 days, 2 exits
    assert (res.extras["exits"], res.extras["people"], res.extras["leavers"]) == (2, 5, 2)
    assert res.extras["person_years"] == round(534 / 365.25, 2)
    assert res.extras["period"] == {"start": "2023-01-01", "end": "2023-04-30"}
    p2 = rec(res, "program", "P2")                      # C, D, S: 340 days, 1 exit; P1: 194 days, 1 exit
    assert (p2["people"], p2["exits"], p2["leavers"]) == (3, 1, 1)
    assert p2["rate_ratio"] == pytest.approx(194 / 340)
    assert p2["share_of_exits"] == 0.5 and p2["share_of_person_time"] == round(340 / 534, 4)
    hi = rec(res, "caseload_band", "above 90th percentile")   # D Feb-Apr: 69 days, 1 exit vs 465 days, 1 exit
    assert hi["rate_ratio"] == pytest.approx(465 / 69)
    assert hi["description"] == "people whose caseload the month before was above 90th percentile"
    assert rec(res, "caseload_band", "50th-75th percentile")["people"] == 1   # C (30 > median 25, <= p75 32.5)
    none = rec(res, "caseload_band", "no caseload record")        # January for all, S always
    assert none["people"] == 5 and none["person_years"] == round((4 * 31 + 120) / 365.25, 2)
    assert rec(res, "supervisor", "S")["people"] == 2
    json.dumps(res.to_dict())


def test_small_groups_are_suppressed():
    res = departure_factors(four_clinicians(), **PERIOD)          # min_cell 5 from [privacy]
    shown = {(r["factor"], r["level"]) for r in res.table}
    assert shown == {("tenure_band", "1-2 years"), ("caseload_band", "no caseload record")}
    assert res.extras["suppressed"] == {"caseload_band": 3, "program": 2, "supervisor": 2, "seat": 5}
    # the bundle has no documentation.csv: the factor is not shown as one "no record" level but said untested
    assert res.untested == [MISSING["documentation"]]


def two_programs_big():
    """40 people in P1 (1 exit) and 40 in P2 (12 exits), all leaving on 2022-06-30."""
    staff, seats = [], []
    for prog, n_exit in (("P1", 1), ("P2", 12)):
        for i in range(40):
            sid = f"{prog}-{i:02d}"
            ex = "2022-06-30" if i < n_exit else None
            staff.append((sid, "2021-01-01", ex))
            seats.append((sid, f"seat-{sid}", prog, "clinician", "2021-01-01", ex))
    return build(staff, seats, data_end="2022-12-31")


def test_over_represented_program_and_sentence():
    res = departure_factors(two_programs_big(), start="2022-01-01", end="2022-12-31")
    p2 = rec(res, "program", "P2")
    d1, d2 = 39 * 365 + 181, 28 * 365 + 12 * 181
    assert p2["rate_ratio"] == pytest.approx((12 / d2) / (1 / d1))
    z = 1.959963984540054
    assert p2["ci_low"] == pytest.approx(p2["rate_ratio"] * math.exp(-z * math.sqrt(1 / 12 + 1)))
    assert p2["over_represented"] and not rec(res, "program", "P1")["over_represented"]
    assert res.table[0]["level"] == "P2"
    assert p2["p_adjusted"] >= p2["p_value"]
    assert "Exits were 14.0 times as frequent among people in program P2 (95% CI 1.8–" in res.summary
    assert departure_factors(two_programs_big(), start="2022-01-01", end="2022-12-31",
                             termination_types=["involuntary"]).extras["exits"] == 0


def test_default_period_is_last_twelve_months_and_errors():
    res = departure_factors(two_programs_big())
    assert res.extras["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert departure_factors(two_programs_big(), period_months=6).extras["period"]["start"] == "2022-07-01"
    with pytest.raises(AnalysisError, match="the period starts"):
        departure_factors(two_programs_big(), start="2023-01-01", end="2022-06-30")


def test_supervisor_recently_left_and_seat_churn():
    from orgraph.analyses._demo import example_org

    res = departure_factors(example_org(), start="2022-04-01", end="2022-06-30", min_cell=1)
    r = rec(res, "supervisor_recently_left", "yes")   # C1 Apr 1-May 20 (50 days, 1 exit), C2, C3 91 days each
    assert (r["people"], r["exits"], r["person_years"]) == (3, 1, round(232 / 365.25, 2))
    assert not any(x["factor"] == "supervisor_recently_left" and x["level"] == "no" for x in res.table)
    # a seat whose two earlier holders left in the last 24 months
    staff = [("H1", "2020-01-01", "2020-12-31"), ("H2", "2021-01-01", "2021-06-30"), ("H3", "2021-07-01", None)]
    seats = [(s, "SEAT", "P", "clinician", h, e) for s, h, e in staff]
    org = build(staff, seats, data_end="2022-12-31")
    rows = pd.DataFrame({"staff_id": ["H3", "H3"], "ref": pd.to_datetime(["2022-06-30", "2023-01-01"]),
                         "prev_mi": [629, 635]})
    assert factor_context(org, rows)["seat_departures"].tolist() == [2, 1]   # H1's departure leaves the window
    f = monthly_factors(org)
    assert f[(f.staff_id == "H3")]["tenure_band"].iloc[0] == "under 6 months"


def test_cli_departures(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: two_programs_big())
    r = CliRunner().invoke(main, ["departures", "bundle", "--over-represented"])
    assert r.exit_code == 0, r.output
    assert "Exit rates by group, 2022-01-01 to 2022-12-31: 13 exits among 80 people" in r.output
    assert "groups of fewer than 5 people are hidden" in r.output
    r = CliRunner().invoke(main, ["departures", "bundle", "--format", "json", "--voluntary-only"])
    assert json.loads(r.output)["settings"]["termination_types"] == ["voluntary"]


def test_as_of_outside_the_data_is_an_error():
    from orgraph.analyses._demo import example_org       # data 2021-01-01 .. 2022-06-30

    with pytest.raises(AnalysisError, match="is before the first day of data"):
        departure_factors(example_org(), as_of="2020-12-31")
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        departure_factors(example_org(), as_of="2022-07-01")


def test_the_monthly_factor_table_holds_one_string_per_band(riverbend):
    """The band columns of the (large, shared) monthly factor table point at one string object per band
    label instead of a string per person-month; the table is what factor_context gives afresh."""
    from orgraph.analyses.departures import factor_context, monthly_factors
    from orgraph.analyses.panel import person_months

    f = monthly_factors(riverbend)
    for col in ("caseload_band", "documentation_band", "tenure_band"):
        if f[col].dtype == object:
            assert len({id(x) for x in f[col]}) == f[col].nunique(), col
        else:       # pandas 3 stores text columns as Arrow strings: no Python object per row to share
            assert pd.api.types.is_string_dtype(f[col]), col
    pm = person_months(riverbend)
    fresh = factor_context(riverbend, pm.assign(prev_mi=pm["mi"] - 1))
    pd.testing.assert_frame_equal(f, fresh, check_exact=True)
