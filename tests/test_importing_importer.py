"""Tests for `orgraph import`: import_file end to end: shipped samples, real public exports, the out folder, audits on imports."""
from __future__ import annotations

import json

import pytest

from orgraph.importing import import_file

from importing_helpers import HR14, MAPS, ORACLE, accounted, by, read, roster


@pytest.mark.parametrize("data, mapping, rows, rejected", [
    ("roster_sample.csv", "roster.toml", 19, {"missing-hire-date": 1}),
    ("job_history_sample.csv", "job_history.toml", 23, {"unknown-event-type": 1, "bad-date": 1}),
])
def test_samples_import_and_load(tmp_path, data, mapping, rows, rejected):
    import orgraph

    s = import_file(MAPS / data, MAPS / mapping, tmp_path / "b")
    assert s["rows"] == rows and accounted(s)
    assert s["rejected_by_rule"] == rejected
    assert s["validation"] == {"status": "ok", "errors": 0, "warnings": 0, "issues": []}
    g = orgraph.load(tmp_path / "b")
    assert len(g.data.staff) == s["written"]["staff"]
    saved = json.loads((tmp_path / "b" / "import-summary.json").read_text())
    assert saved["rows"] == rows


@pytest.mark.skipif(not HR14.exists(), reason="public dataset not present")
def test_hrdataset_v14_every_row_accounted_and_managers_resolved(tmp_path):
    import orgraph

    s = import_file(HR14, MAPS / "hrdataset_v14.toml", tmp_path / "b")
    assert (s["rows"], s["rows_imported"], s["rows_merged"], s["rows_rejected"]) == (311, 311, 0, 0)
    m = s["managers"]
    # the data set's six non-employee manager names: five become external records, and
    # "Brandon R. LeBlanc" is the employee "LeBlanc, Brandon  R"
    assert sorted(e["name"] for e in m["external"]) == ["Alex Sweetwater", "Board of Directors", "David Stanley",
                                                        "Michael Albert", "Webster Butler"]
    assert sum(e["supervisees"] for e in m["external"]) == 22 + 21 + 9 + 21 + 2
    assert m["n_ambiguous"] == 0
    assert m["n_no_overlap"] == 15       # the README's 15 staff who left before their manager was hired
    staff = by(read(tmp_path / "b", "staff"))
    assert len(staff) == 316 and staff["10134"]["name"] == "LeBlanc, Brandon R"
    assert sum(1 for r in staff.values() if r["termination_date"]) == 104
    types = [r["termination_type"] for r in staff.values() if r["termination_date"]]
    assert (types.count("voluntary"), types.count("involuntary")) == (88, 16)
    to_leblanc = [r for r in read(tmp_path / "b", "supervision") if r["supervisor_id"] == "10134"]
    assert len(to_leblanc) == 7 - sum(1 for x in m["no_overlap"] if x["manager_id"] == "10134")
    assert by(read(tmp_path / "b", "programs"), "program_id")["production"]["name"] == "Production"
    assert s["validation"]["status"] == "ok"
    g = orgraph.load(tmp_path / "b")
    assert len(g.data.staff) == 316


@pytest.mark.skipif(not ORACLE.exists(), reason="public dataset not present")
def test_oracle_hr_employees(tmp_path):
    s = import_file(ORACLE, MAPS / "oracle_hr.toml", tmp_path / "b")
    assert (s["rows"], s["rows_imported"]) == (107, 107)
    assert s["written"]["supervision"] == 106 and s["written"]["external_staff"] == 0
    staff = by(read(tmp_path / "b", "staff"))
    assert staff["100"]["name"] == "Steven King"
    pos = {r["staff_id"]: r["position_id"] for r in read(tmp_path / "b", "assignments")}
    assert pos["100"] == "executive:president:1" and pos["178"].startswith("unassigned:sales-representative")
    assert s["validation"]["status"] == "ok"


def test_optional_files_left_in_the_out_folder_are_warned_about(tmp_path):
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "caseload.csv").write_text("staff_id,month,active_clients\n", encoding="utf-8")
    s, out = roster(tmp_path, "1,A,2020-01-01,,,OP,T,\n")
    assert any("already holds caseload.csv" in w for w in s["warnings"])


@pytest.mark.parametrize("data, mapping", [("roster_sample.csv", "roster.toml"),
                                           ("job_history_sample.csv", "job_history.toml")])
def test_audit_runs_on_imported_samples(tmp_path, data, mapping):
    import orgraph
    from orgraph.report.audit import run_audit

    import_file(MAPS / data, MAPS / mapping, tmp_path / "b")
    audit = run_audit(orgraph.load(tmp_path / "b"))
    assert isinstance(audit["findings"], list) and audit["org"]
