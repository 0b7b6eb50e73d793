"""The synthetic org generator: valid bundles, same bytes for the same seed, planted truth that is really there."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.cli import main
from orgraph.errors import ConfigError, SourceError
from orgraph.synth import FILES_WRITTEN, generate
from orgraph.validate import validate_bundle

RIVERBEND = Path(__file__).resolve().parent.parent / "examples" / "riverbend"


@pytest.fixture(scope="module")
def org(synth_org):
    out, _, truth = synth_org(staff=240, years=5, seed=3)
    tables = {f: pd.read_csv(out / f, dtype=str, keep_default_na=False) for f in FILES_WRITTEN if f.endswith(".csv")}
    return out, truth, tables


def _day(s):
    return pd.to_datetime(s)


def test_same_seed_same_bytes(tmp_path):
    generate(staff=60, years=3, seed=11, out=tmp_path / "a")
    generate(staff=60, years=3, seed=11, out=tmp_path / "b")
    generate(staff=60, years=3, seed=12, out=tmp_path / "c")
    for f in FILES_WRITTEN:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "staff.csv").read_bytes() != (tmp_path / "c" / "staff.csv").read_bytes()


def test_every_file_written_with_the_bundle_headers(org):
    out, truth, t = org
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES_WRITTEN)
    assert list(t["staff.csv"].columns) == ["staff_id", "name", "discipline", "hire_date", "termination_date",
                                            "termination_type", "termination_reason", "fte", "annual_salary",
                                            "license"]
    assert list(t["positions.csv"].columns) == ["position_id", "title", "program_id", "role_kind",
                                                "budgeted_caseload", "capacity"]
    assert list(t["caseload.csv"].columns) == ["staff_id", "month", "active_clients"]
    assert list(t["supervision_sessions.csv"].columns) == ["supervisor_id", "staff_id", "date", "minutes"]
    assert list(t["client_assignments.csv"].columns) == ["client_id", "staff_id", "start_date", "end_date"]
    assert (out / "orgraph.toml").read_text().endswith(f'[data]\nstart = "{truth["window"]["start"]}"\n'
                                                       'end = "2025-12-31"\n')
    assert json.loads((out / "truth.json").read_text()) == json.loads(json.dumps(truth))


def test_bundle_loads_with_no_errors_and_no_warnings(org):
    out, _, _ = org
    _, issues = validate_bundle(out)
    assert [str(i) for i in issues] == []


@pytest.mark.parametrize("staff,years,seed", [(10, 1, 1), (35, 2, 2), (90, 3, 5)])
def test_small_orgs_load_cleanly(synth_org, staff, years, seed):
    out, _, truth = synth_org(staff=staff, years=years, seed=seed)
    _, issues = validate_bundle(out)
    assert [str(i) for i in issues] == []
    assert truth["counts"]["seats"] >= staff


def test_riverbend_is_the_documented_command_and_loads_cleanly(tmp_path):
    if not RIVERBEND.exists():
        pytest.skip("examples/riverbend not committed yet")
    readme = (RIVERBEND / "README.md").read_text()
    assert "orgraph synth --staff 150 --years 4 --seed 37 --out examples/riverbend" in readme
    generate(staff=150, years=4, seed=37, out=tmp_path / "rb")
    for f in FILES_WRITTEN:
        assert (tmp_path / "rb" / f).read_bytes() == (RIVERBEND / f).read_bytes(), f"{f} is stale: regenerate"
    truth = json.loads((RIVERBEND / "truth.json").read_text())
    for c in truth["cascades"]:               # the story names every planted cascade
        assert c["supervisor_id"] in readme
    _, issues = validate_bundle(RIVERBEND)
    assert [str(i) for i in issues] == []


def test_headcount_is_the_requested_steady_state(org):
    out, truth, t = org
    staff = t["staff.csv"]
    hire, term = _day(staff["hire_date"]), _day(staff["termination_date"].replace("", None))
    for day in ("2022-06-30", "2024-06-30"):
        d = pd.Timestamp(day)
        employed = ((hire <= d) & (term.isna() | (term >= d))).sum()
        assert 0.9 * 240 <= employed <= 1.05 * 240
    assert truth["counts"]["people"] > 240


def test_turnover_and_termination_mix_are_plausible(org):
    out, truth, t = org
    staff = t["staff.csv"]
    a = t["assignments.csv"].merge(t["positions.csv"], on="position_id")
    last = a.sort_values("start_date").groupby("staff_id").tail(1).set_index("staff_id")["role_kind"]
    exits = staff[staff["termination_date"] != ""]
    role = exits["staff_id"].map(last)
    per_year = role.value_counts() / 5
    seats = t["positions.csv"]["role_kind"].value_counts()
    clin_rate = per_year["clinician"] / seats["clinician"]
    sup_rate = per_year["supervisor"] / seats["supervisor"]
    assert 0.25 <= clin_rate <= 0.45          # base 27% plus the planted patterns
    assert 0.12 <= sup_rate <= 0.35
    mix = exits["termination_type"].value_counts(normalize=True)
    assert mix["voluntary"] > 0.6 and set(mix.index) <= {"voluntary", "involuntary", "retirement", "other"}
    assert (exits["termination_reason"] != "").all()
    assert (staff.loc[staff["termination_date"] == "", "termination_type"] == "").all()


def test_supervision_spans_are_mostly_four_to_eight(org):
    out, truth, t = org
    sup = t["supervision.csv"]
    d = "2023-06-30"
    live = sup[(sup["start_date"] <= d) & ((sup["end_date"] == "") | (sup["end_date"] >= d))]
    pos = t["assignments.csv"]
    held = pos[(pos["start_date"] <= d) & ((pos["end_date"] == "") | (pos["end_date"] >= d))]
    kind = held.merge(t["positions.csv"], on="position_id").set_index("staff_id")["role_kind"]
    spans = live[live["supervisor_id"].map(kind) == "supervisor"].groupby("supervisor_id").size()
    overloaded = {o["supervisor_id"] for o in truth["overloaded_supervisors"]}
    normal = spans[~spans.index.isin(overloaded)]
    assert ((normal >= 3) & (normal <= 8)).mean() > 0.8
    assert live.groupby("staff_id").size().max() == 1          # one supervisor at a time


def test_planted_cascades_are_in_the_data(org):
    out, truth, t = org
    staff = t["staff.csv"].set_index("staff_id")
    sup = t["supervision.csv"]
    assert len(truth["cascades"]) >= 3
    for c in truth["cascades"]:
        exit_day = pd.Timestamp(c["exit_date"])
        assert staff.at[c["supervisor_id"], "termination_date"] == c["exit_date"]
        mine = sup[sup["supervisor_id"] == c["supervisor_id"]]
        start, end = _day(mine["start_date"]), _day(mine["end_date"].replace("", None))
        cohort = set(mine.loc[(start <= exit_day) & (end.isna() | (end >= exit_day - pd.Timedelta(days=29))),
                              "staff_id"])
        assert cohort == set(c["cohort"]) and c["cohort_size"] == len(cohort) >= 4
        assert len(c["departed"]) >= 3
        for d in c["departures"]:
            gone = pd.Timestamp(staff.at[d["staff_id"], "termination_date"])
            assert (gone - exit_day).days == d["days_after"] and 1 <= d["days_after"] <= 180


def test_a_nested_cascade_is_planted(org):
    _, truth, _ = org
    by_id = {c["supervisor_id"]: c for c in truth["cascades"]}
    nested = [c for c in truth["cascades"] if c["parent"]]
    assert nested
    for c in nested:
        parent = by_id[c["parent"]]
        assert c["supervisor_id"] in parent["departed"] and c["supervisor_id"] in parent["children"]
        assert parent["role_kind"] == "director" and c["role_kind"] == "supervisor"


def test_overloaded_supervisors_have_big_spans_and_little_supervision(org):
    out, truth, t = org
    assert truth["overloaded_supervisors"]
    sess = t["supervision_sessions.csv"]
    sess_hours = sess.assign(h=sess["minutes"].astype(float) / 60).groupby("supervisor_id")["h"].sum()
    for o in truth["overloaded_supervisors"]:
        assert 14 <= o["clinician_seats"] <= 20 and o["mean_span"] >= 12
        assert o["delivered_ratio"] < 0.2
        assert sess_hours.get(o["supervisor_id"], 0.0) >= o["supervision_hours_delivered"] - 0.05
    # normal supervisors deliver most of the policy hour a week
    sup = t["supervision.csv"]
    others = sess_hours.drop([o["supervisor_id"] for o in truth["overloaded_supervisors"]], errors="ignore")
    assert len(others) > 5
    s = _day(sup["start_date"]).clip(lower=pd.Timestamp("2021-01-01"))
    e = _day(sup["end_date"].replace("", "2025-12-31")).clip(upper=pd.Timestamp("2025-12-31"))
    weeks = ((e - s).dt.days.clip(lower=0) / 7).groupby(sup["supervisor_id"]).sum()
    ratio = (others / weeks.reindex(others.index)).median()
    assert 0.5 < ratio < 1.0


def test_churn_seats_have_many_short_tenures(org):
    out, truth, t = org
    a = t["assignments.csv"]
    assert truth["churn_seats"]
    counts = a.groupby("position_id").size()
    clin = t["positions.csv"].set_index("position_id")["role_kind"] == "clinician"
    typical = counts[clin.reindex(counts.index)].median()
    for c in truth["churn_seats"]:
        assert c["exits"] >= 5 and len(c["holders"]) == counts[c["position_id"]] >= typical + 2
        assert c["median_tenure_days"] < 365


def test_caseload_program_breaks_later_in_the_period(org):
    out, truth, t = org
    cp = truth["caseload_program"]
    cl = t["caseload.csv"].merge(t["assignments.csv"][["staff_id", "position_id"]].drop_duplicates("staff_id",
                                                                                                 keep="last"),
                                 on="staff_id")
    cl["clients"] = cl["active_clients"].astype(int)
    seats = set(cp["positions"])
    late = cl["month"] >= "2024-01"
    early = cl["month"] < cp["start_month"]
    in_prog = cl["position_id"].isin(seats)
    assert 45 <= cl.loc[in_prog & late, "clients"].mean() <= 60
    assert 25 <= cl.loc[in_prog & early, "clients"].mean() <= 35
    assert 22 <= cl.loc[~in_prog & late & cl["position_id"].str.contains("CLN"), "clients"].mean() <= 35
    assert truth["hazard_model"]["caseload"]["hazard_multiplier_per_10_clients"] > 1


def test_documentation_program_takes_as_long_as_sessions(org):
    out, truth, t = org
    dp = truth["documentation_program"]
    doc = t["documentation.csv"].merge(t["assignments.csv"][["staff_id", "position_id"]], on="staff_id")
    doc = doc.drop_duplicates(["staff_id", "month"])
    s, d = doc["session_hours"].astype(float), doc["documentation_hours"].astype(float)
    prog = doc["position_id"].str.startswith(dp["program_id"] + "-CLN") & (doc["month"] >= dp["start_month"])
    assert d[prog].sum() / s[prog].sum() >= 1.0
    assert 0.4 <= d[~prog].sum() / s[~prog].sum() <= 0.7


def test_higher_caseload_months_have_more_exits(org):
    """The planted caseload -> exit hazard relation is visible in the data (the scenarios fit its sign)."""
    out, truth, t = org
    cl = t["caseload.csv"].copy()
    staff = t["staff.csv"].set_index("staff_id")
    cl["exit_month"] = cl["staff_id"].map(staff["termination_date"].str[:7])
    cl["left"] = cl["exit_month"] == cl["month"]
    cl["high"] = cl["active_clients"].astype(int) >= 40
    rate = cl.groupby("high")["left"].mean()
    assert rate[True] > 1.25 * rate[False]


def test_client_episodes_end_when_the_clinician_leaves(org):
    out, truth, t = org
    ca = t["client_assignments.csv"]
    staff = t["staff.csv"].set_index("staff_id")
    term = ca["staff_id"].map(staff["termination_date"])
    left = term != ""
    assert (ca.loc[left, "end_date"] != "").all() and (ca.loc[left, "end_date"] <= term[left]).all()
    broken = (ca["end_date"] == term) & left
    assert broken.sum() == truth["counts"]["client_episodes_ended_by_clinician_exit"] > 0
    assert ca["client_id"].is_unique


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(ConfigError, match="--staff must be a whole number of at least 10"):
        generate(staff=5)
    with pytest.raises(ConfigError, match="--years must be a whole number from 1 to 30"):
        generate(staff=20, years=0)
    with pytest.raises(ConfigError, match="--start '2021-13-01' is not a date"):
        generate(staff=20, start="2021-13-01")
    (tmp_path / "x.txt").write_text("keep me")
    with pytest.raises(SourceError, match="is not empty; choose an empty folder or pass --force"):
        generate(staff=20, out=tmp_path)
    assert (tmp_path / "x.txt").read_text() == "keep me"


def test_cli_writes_refuses_and_forces(tmp_path):
    out = tmp_path / "org"
    r = CliRunner().invoke(main, ["synth", "--staff", "30", "--years", "2", "--seed", "4", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote {out}: ") and "supervisor-exit cascades" in r.output
    assert (out / "truth.json").exists()
    r = CliRunner().invoke(main, ["synth", "--staff", "30", "--out", str(out)])
    assert r.exit_code == 1
    assert "is not empty; choose an empty folder or pass --force" in r.output
    r = CliRunner().invoke(main, ["synth", "--staff", "30", "--years", "2", "--seed", "5", "--out", str(out),
                                  "--force", "--start", "2019-04-01"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "truth.json").read_text())["window"] == {"start": "2019-04-01", "end": "2021-03-31"}


def test_parquet_option_writes_a_parquet_bundle_that_loads_like_the_csv_one(tmp_path):
    from orgraph.synth import PARQUET_FILES_WRITTEN

    r = CliRunner().invoke(main, ["synth", "--staff", "40", "--years", "2", "--seed", "5", "--parquet",
                                  "--out", str(tmp_path / "pq")])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == sorted(PARQUET_FILES_WRITTEN)
    generate(staff=40, years=2, seed=5, out=tmp_path / "csv")
    a, issues_a = validate_bundle(tmp_path / "csv")
    b, issues_b = validate_bundle(tmp_path / "pq")
    assert issues_a == issues_b
    pd.testing.assert_frame_equal(a.table("staff"), b.table("staff"), check_dtype=False)
    pd.testing.assert_frame_equal(a.client_assignments, b.client_assignments)
