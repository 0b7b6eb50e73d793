"""Every analysis says what the data could not answer (orgraph.analyses.coverage, Result.untested): in the
analysis's own command, in the audit's terminal output, its memo and its pack, each sentence once."""
from __future__ import annotations

import csv
import re
import shutil
from html import escape as html_escape

import pandas as pd
import pytest
from click.testing import CliRunner

import orgraph
from orgraph.analyses.caseload import caseload_distribution
from orgraph.analyses.cascades import supervisor_cascades
from orgraph.analyses.coverage import MISSING, uncovered_exits
from orgraph.analyses.exposure import observed_from
from orgraph.analyses.leading import supervisor_leading_indicator
from orgraph.cli import main
from orgraph.settings import analysis_cut

OPTIONAL = ("caseload.csv", "documentation.csv", "client_assignments.csv", "supervision_sessions.csv")


@pytest.fixture(scope="module")
def bare(synth_org, tmp_path_factory):
    """A synthetic bundle with none of the four optional EHR tables."""
    folder, _, _ = synth_org(staff=60, years=2, seed=3)
    out = tmp_path_factory.mktemp("bare")
    for f in folder.iterdir():
        if f.name not in OPTIONAL and f.is_file():
            shutil.copy(f, out / f.name)
    return out


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_an_audit_without_ehr_tables_says_once_each_what_it_could_not_answer(bare, tmp_path):
    r = CliRunner().invoke(main, ["audit", str(bare), "--out", str(tmp_path / "a"), "--no-png"])
    assert r.exit_code == 0, r.output
    said = r.output.split("What this data could not answer:")[1].split("Report:")[0]
    flat = re.sub(r"\s+", " ", said)
    for table in ("caseload", "documentation", "supervision_sessions", "client_assignments"):
        assert flat.count(MISSING[table]) == 1, (table, flat)
    assert "note: caseload distribution: not run" not in r.output      # said above, not repeated as a note
    memo = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    section = memo.split("## What this data could not answer")[1].split("\n## ")[0]
    page = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    listed = page.split("What this data could not answer:")[1].split("</ul>")[0]
    for table in ("caseload", "documentation", "supervision_sessions", "client_assignments"):
        assert section.count(MISSING[table]) == 1
        assert listed.count(html_escape(MISSING[table], quote=False)) == 1


def test_an_analysis_command_says_what_it_could_not_test(bare):
    r = CliRunner().invoke(main, ["overload", str(bare)])
    assert r.exit_code == 0, r.output
    assert f"Could not be tested: {MISSING['caseload']}" in r.output
    assert f"Could not be tested: {MISSING['supervision_sessions']}" in r.output
    r = CliRunner().invoke(main, ["caseload", str(bare)])
    assert r.exit_code == 1 and r.output.strip() == f"Error: {MISSING['caseload']}"
    r = CliRunner().invoke(main, ["overload", str(bare), "--format", "json"])
    assert MISSING["caseload"] in r.output                                # machines get it too


def _clinician_exits_before(folder, start, day) -> int:
    """Clinician exits (role kind of the person's latest seat) from ``start`` to before ``day``, from the CSVs."""
    kind = {r["position_id"]: r["role_kind"] for r in _rows(folder / "positions.csv")}
    latest = {}
    for a in sorted(_rows(folder / "assignments.csv"), key=lambda a: a["start_date"]):
        latest[a["staff_id"]] = kind[a["position_id"]]
    return sum(1 for s in _rows(folder / "staff.csv") if s["termination_date"]
               and start <= pd.Timestamp(s["termination_date"]) < pd.Timestamp(day)
               and latest.get(s["staff_id"]) == "clinician")


def _sentence(first, n, before):
    return (f"caseload.csv covers {first} to 2025-12 and each exit is weighed against the month before it, so "
            f"{n} clinician {'exit' if n == 1 else 'exits'} before {before} could not be tested against caseloads.")


def test_caseload_months_that_miss_exits_are_counted_by_hand(synth_org, tmp_path):
    folder, full, _ = synth_org(staff=60, years=2, seed=3)
    for f in folder.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    cl = pd.read_csv(folder / "caseload.csv")
    cl[cl["month"] >= "2025-01"].to_csv(tmp_path / "caseload.csv", index=False)
    org = orgraph.load(tmp_path)
    cut = analysis_cut(org)
    start = observed_from(org, cut)
    assert str(start.date()) == "2024-01-01"
    # an exit is weighed against the month before it: exits before February 2025 have no caseload month before
    n = _clinician_exits_before(folder, start, "2025-02-01")
    assert n > 10
    assert caseload_distribution(org).untested == [_sentence("2025-01", n, "2025-02")]
    # the whole export: only January 2024's exits (no December 2023 caseload) are untested
    m = _clinician_exits_before(folder, start, "2024-02-01")
    assert 0 < m < n
    assert caseload_distribution(full).untested == [_sentence("2024-01", m, "2024-02")]
    assert uncovered_exits(org, "caseload", cut, what="caseloads", roles=(), lag_months=1) != \
        uncovered_exits(org, "caseload", cut, what="caseloads", lag_months=1)


def test_no_supervisor_exit_means_cascades_and_the_leading_indicator_are_untested(bare, tmp_path):
    for f in bare.iterdir():
        shutil.copy(f, tmp_path / f.name)
    kind = {r["position_id"]: r["role_kind"] for r in _rows(bare / "positions.csv")}
    supervisors = {r["supervisor_id"] for r in _rows(bare / "supervision.csv")}
    supervisors |= {a["staff_id"] for a in _rows(bare / "assignments.csv") if kind[a["position_id"]] != "clinician"}
    staff = _rows(bare / "staff.csv")
    gone = {s["staff_id"] for s in staff if s["staff_id"] in supervisors and s["termination_date"]}
    # drop every supervisor who ever left, with their links, so no supervisor exit remains
    staff = [s for s in staff if s["staff_id"] not in gone]
    for name, cols in (("staff", None), ("assignments", ("staff_id",)), ("supervision", ("staff_id", "supervisor_id"))):
        rows = staff if name == "staff" else [r for r in _rows(bare / f"{name}.csv")
                                              if not any(r[c] in gone for c in cols)]
        with open(tmp_path / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(_rows(bare / f"{name}.csv")[0]))
            w.writeheader()
            w.writerows(rows)
    org = orgraph.load(tmp_path)
    assert supervisor_cascades(org).untested == [
        "No supervisor with a team left in the window, so supervisor-exit cascades could not be tested."]
    assert supervisor_leading_indicator(org).untested == [
        "No supervisor left in the window, so supervisor exits could not be tested as a leading indicator."]
