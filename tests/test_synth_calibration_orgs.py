"""Calibration orgs from the generator: --null plants nothing, --tenure-shape moves exits early in the tenure,
--export-from writes an export that starts mid-history without saying where."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.cli import main
from orgraph.errors import ConfigError
from orgraph.synth import FILES_WRITTEN, generate
from orgraph.validate import validate_bundle

EXPORT_FROM = "2023-03-15"          # mid-month: monthly tables start on 2023-03-01


@pytest.fixture(scope="module")
def make(tmp_path_factory):
    """``make(**kwargs)`` -> (folder, truth, tables): one bundle per set of arguments for this module."""
    made = {}

    def make(**kwargs):
        args = {"staff": 200, "years": 5, "seed": 8, **kwargs}
        key = tuple(sorted(args.items()))
        if key not in made:
            out = tmp_path_factory.mktemp("calib")
            truth = generate(out=out, force=True, **args)
            tables = {f: pd.read_csv(out / f, dtype=str, keep_default_na=False)
                      for f in FILES_WRITTEN if f.endswith(".csv")}
            made[key] = (out, truth, tables)
        return made[key]

    return make


def _first_year_share(staff: pd.DataFrame) -> float:
    gone = staff[staff["termination_date"] != ""]
    days = (pd.to_datetime(gone["termination_date"]) - pd.to_datetime(gone["hire_date"])).dt.days
    return float((days < 365).mean())


@pytest.mark.parametrize("kwargs", [{"null": True}, {"tenure_shape": 0.6}, {"export_from": EXPORT_FROM},
                                   {"null": True, "tenure_shape": 0.6, "export_from": EXPORT_FROM}],
                         ids=["null", "shape", "export", "all-three"])
def test_each_option_writes_a_bundle_that_loads_cleanly(make, kwargs):
    out, truth, _ = make(**kwargs)
    _, issues = validate_bundle(out)
    assert [str(i) for i in issues] == []
    assert json.loads((out / "truth.json").read_text()) == json.loads(json.dumps(truth))
    for k, v in kwargs.items():
        assert truth["generator"][k] == v


def test_a_null_org_has_nothing_planted(make):
    _, truth, t = make(null=True)
    assert truth["null"] is True
    for k in ("cascades", "overloaded_supervisors", "churn_seats", "churn_seats_unrealised"):
        assert truth[k] == [], k
    assert truth["elevated_hazard"] == {"positions": [], "supervisor_positions": []}
    assert truth["caseload_program"] is None and truth["documentation_program"] is None
    hm = truth["hazard_model"]
    assert set(hm["multipliers"].values()) == {1.0}
    assert hm["caseload"]["hazard_multiplier_per_10_clients"] == 1.0 and hm["caseload"]["sign"] == "none"
    assert truth["counts"]["planted_cascade_exits"] == 0 and truth["counts"]["exits"] > 100
    # nobody gives the reasons that only planted pressure produces
    assert not t["staff.csv"]["termination_reason"].isin(["Left after a change of supervisor"]).any()


def _program_of(t):
    a = t["assignments.csv"].merge(t["positions.csv"], on="position_id")
    return a, a.drop_duplicates("staff_id", keep="last").set_index("staff_id")["program_id"]


def _max_supervisor_span(t, day="2023-06-30"):
    sup, (a, _) = t["supervision.csv"], _program_of(t)
    live = sup[(sup["start_date"] <= day) & ((sup["end_date"] == "") | (sup["end_date"] >= day))]
    held = a[(a["start_date"] <= day) & ((a["end_date"] == "") | (a["end_date"] >= day))]
    kind = held.set_index("staff_id")["role_kind"]
    return live[live["supervisor_id"].map(kind) == "supervisor"].groupby("supervisor_id").size().max()


def _max_program_doc_ratio(t):
    doc = t["documentation.csv"].copy()
    doc["program"] = doc["staff_id"].map(_program_of(t)[1])
    doc = doc[doc["month"] >= "2023-01"]
    h = doc[["session_hours", "documentation_hours"]].astype(float).groupby(doc["program"]).sum()
    return (h["documentation_hours"] / h["session_hours"]).max()


def test_the_null_org_data_show_no_overload_and_no_documentation_program(make):
    """The planted org of the same seed shows both, so these checks can fail."""
    _, planted, tp = make()
    _, _, tn = make(null=True)
    assert planted["overloaded_supervisors"] and _max_supervisor_span(tp) >= 14
    assert _max_supervisor_span(tn) <= 9                # spans of 4-8, 9 in a program with one supervisor
    assert _max_program_doc_ratio(tp) >= 1.0
    assert _max_program_doc_ratio(tn) < 0.7
    late = tn["caseload.csv"][tn["caseload.csv"]["month"] >= "2023-01"]
    per_prog = late["active_clients"].astype(int).groupby(late["staff_id"].map(_program_of(tn)[1])).mean()
    assert per_prog.max() < 36                          # no program's caseloads break


def test_a_low_tenure_shape_moves_exits_into_the_first_year(make):
    _, t09, tab09 = make(staff=300, years=6, seed=3)
    _, t06, tab06 = make(staff=300, years=6, seed=3, tenure_shape=0.6)
    # 0.40 against 0.54 on this seed (0.40 against 0.53 averaged over four 2,000-staff orgs)
    assert _first_year_share(tab06["staff.csv"]) > _first_year_share(tab09["staff.csv"]) + 0.05
    assert t06["hazard_model"]["weibull_shape"] == 0.6 and t09["hazard_model"]["weibull_shape"] == 0.9
    assert t06["hazard_model"]["weibull_rate_factor"] == pytest.approx(1.4306, abs=1e-3)
    assert "tenure_shape" not in t09["generator"]


def test_the_tenure_shape_keeps_turnover_in_a_null_org(make):
    """The base hazards are rescaled to keep the mean tenure, so a null org's exits stay about the same."""
    _, t09, tab09 = make(staff=300, years=6, seed=3, null=True)
    _, t06, tab06 = make(staff=300, years=6, seed=3, null=True, tenure_shape=0.6)
    assert 0.85 < t06["counts"]["exits"] / t09["counts"]["exits"] < 1.2
    assert _first_year_share(tab06["staff.csv"]) > _first_year_share(tab09["staff.csv"]) + 0.08


def test_an_export_from_keeps_the_people_employed_since_and_their_history(make):
    out, full_truth, full = make()
    out_e, truth, t = make(export_from=EXPORT_FROM)
    staff = t["staff.csv"]
    assert (staff["termination_date"].eq("") | (staff["termination_date"] >= EXPORT_FROM)).all()
    # the same simulation, filtered: the people employed on or after the day, their rows unchanged
    fs = full["staff.csv"]
    kept = fs[fs["termination_date"].eq("") | (fs["termination_date"] >= EXPORT_FROM)]
    assert staff.equals(kept.reset_index(drop=True))
    ids = set(staff["staff_id"])
    fa = full["assignments.csv"]
    assert t["assignments.csv"].equals(fa[fa["staff_id"].isin(ids)].reset_index(drop=True))
    assert (t["assignments.csv"]["start_date"] < "2022-01-01").any()          # history before the export
    sup = t["supervision.csv"]
    assert set(sup["supervisor_id"]) <= ids and (sup["start_date"] < EXPORT_FROM).any()
    # monthly tables from the export's month on
    for f in ("caseload.csv", "documentation.csv"):
        assert t[f]["month"].min() == "2023-03"
        fc = full[f]
        assert t[f].equals(fc[fc["staff_id"].isin(ids) & (fc["month"] >= "2023-03")].reset_index(drop=True)), f
    assert t["supervision_sessions.csv"]["date"].min() >= "2023-03-01"
    ends = t["client_assignments.csv"]["end_date"]
    assert (ends.eq("") | (ends >= "2023-03-01")).all()
    # orgraph.toml keeps the end and does not say where the export starts
    toml = (out_e / "orgraph.toml").read_text()
    assert not any(line.startswith("start") for line in toml.splitlines()) and 'end = "2025-12-31"' in toml
    assert 'start = "' in (out / "orgraph.toml").read_text()
    # truth describes the written files
    assert truth["window"] == {"start": EXPORT_FROM, "end": "2025-12-31"}
    assert truth["generator"]["start"] == full_truth["generator"]["start"] == "2021-01-01"
    assert truth["counts"]["people"] == len(staff)
    assert truth["counts"]["exits"] == int((staff["termination_date"] != "").sum())
    for c in truth["cascades"]:
        assert c["exit_date"] >= EXPORT_FROM and set(c["cohort"]) <= ids
    assert {c["supervisor_id"] for c in truth["cascades"]} < {c["supervisor_id"] for c in full_truth["cascades"]}


def test_bad_calibration_options_raise_clear_errors():
    with pytest.raises(ConfigError, match="--export-from 2020-06-01 must be after the first simulated day "
                                          "2021-01-01 and before the last 2025-12-31"):
        generate(staff=20, years=5, export_from="2020-06-01")
    with pytest.raises(ConfigError, match="--export-from 2025-12-31 must be after"):
        generate(staff=20, years=5, export_from="2025-12-31")
    with pytest.raises(ConfigError, match="--export-from 2021-01-01 must be after"):
        generate(staff=20, years=5, export_from="2021-01-01")
    with pytest.raises(ConfigError, match="--export-from 'soon' is not a date"):
        generate(staff=20, export_from="soon")
    for bad in (0, 0.1, 6, "0.6", True):
        with pytest.raises(ConfigError, match="--tenure-shape must be a number from 0.2 to 5"):
            generate(staff=20, tenure_shape=bad)


def test_cli_writes_a_calibration_org(tmp_path):
    out = tmp_path / "null"
    r = CliRunner().invoke(main, ["synth", "--staff", "100", "--years", "4", "--seed", "3", "--null",
                                  "--tenure-shape", "0.6", "--export-from", "2023-01-01", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "2023-01-01 to 2025-12-31" in r.output and "Planted: nothing (a null org)" in r.output
    truth = json.loads((out / "truth.json").read_text())
    assert truth["null"] and truth["generator"]["tenure_shape"] == 0.6
    assert truth["generator"]["export_from"] == "2023-01-01"
    r = CliRunner().invoke(main, ["synth", "--staff", "30", "--years", "2", "--export-from", "2019-01-01",
                                  "--out", str(tmp_path / "bad")])
    assert r.exit_code == 1 and "--export-from 2019-01-01 must be after the first simulated day" in r.output
