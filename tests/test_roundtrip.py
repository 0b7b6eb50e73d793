"""A synthetic org written out as real exports and imported back gives the same org and the same audit.

Each case writes a synthetic bundle (``orgraph synth``) as a spell-style job history (one row per person per
job spell, tests/spells_export.py) and an EHR export of one row per visit with note minutes
(tests/roundtrip_visits.py), imports both with one ``orgraph import`` call, and compares with the original:
staff, programs, seats, assignments, supervision, monthly caseloads (``active_days = 28``), documentation
hours, supervision sessions, client episodes, and then every claim of ``orgraph audit --format json``.

Two things are not in the exports and are given as the user would give them (docs/importing.md, "Round
trips"): the export's window, ``orgraph.toml`` ``[data]``, is copied beside the imported bundle; and the
reference the audit is compared with is the original bundle with its ``client_assignments.csv`` restated as
the episodes of the visits written, because a synthetic bundle draws its episodes independently of its
caseloads and no visit export can carry both.
"""
from __future__ import annotations

from conftest import ANON_KEY

import csv
import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner

from orgraph.cli import main
from orgraph.importing import Mapping, import_file
from orgraph.importing.services import import_services
from orgraph.privacy import Pseudonymizer
from orgraph.synth import generate

from importing_helpers import MAPS, accounted, by, read
from roundtrip_visits import write_visits
from spells_export import mapping_toml, write_spells

CASES = {
    # a full export: ISO dates, empty end dates for current spells
    "full": dict(seed=3, synth={}, spells={}, silent_months=0),
    # an export cut mid-history, tenures as real clinicians', US dates and 9999-12-31 for "no end"; one
    # clinician is hired on the last day of a month and has no client in it
    "cut": dict(seed=7, synth=dict(tenure_shape=0.6, export_from=dt.date(2023, 1, 1)),
                spells=dict(date_format="%m/%d/%Y", open_end="12/31/9999"), silent_months=1),
}


def _pseudonym(client: str) -> str:
    return "C-" + Pseudonymizer(ANON_KEY)("client:" + client)[2:]


def _audit(bundle, out) -> dict:
    r = CliRunner().invoke(main, ["audit", str(bundle), "--out", str(out), "--no-png", "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.fixture(scope="module", params=sorted(CASES))
def trip(request, tmp_path_factory):
    case = CASES[request.param]
    base = tmp_path_factory.mktemp(f"roundtrip-{request.param}")
    org = base / "org"
    generate(staff=120, years=4, seed=case["seed"], out=org, **case["synth"])
    spells, sp_map = write_spells(org, base / "job_spells.csv", seed=case["seed"], **case["spells"])
    visits, sv_map, truth = write_visits(org, base / "visits.csv", seed=case["seed"])
    (base / "job_spells.toml").write_text(mapping_toml(sp_map), encoding="utf-8")
    (base / "visits.toml").write_text(mapping_toml(sv_map), encoding="utf-8")
    imp = base / "imported"
    r = CliRunner().invoke(main, ["import", str(spells), str(visits), "--mapping", str(base / "job_spells.toml"),
                                  "--mapping", str(base / "visits.toml"), "--out", str(imp), "--key", ANON_KEY,
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    summaries = json.loads(r.stdout)["imports"]
    shutil.copy(org / "orgraph.toml", imp / "orgraph.toml")
    ref = base / "reference"
    shutil.copytree(org, ref)
    with open(ref / "client_assignments.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["client_id", "staff_id", "start_date", "end_date"])
        w.writerows(sorted((_pseudonym(c), s, a, b) for c, s, a, b in truth["episodes"]))
    return {"case": case, "org": org, "imp": imp, "ref": ref, "base": base, "summaries": summaries, "truth": truth}


def rows(folder, name, cols=None):
    return sorted(tuple(r[c] for c in (cols or r)) for r in read(folder, name))


def _unsupervised(org) -> set[str]:
    """Staff with a day of employment not covered by a supervision row."""
    sup = {}
    for r in read(org, "supervision"):
        sup.setdefault(r["staff_id"], []).append((r["start_date"], r["end_date"]))
    out = set()
    for sid, p in by(read(org, "staff")).items():
        links = sorted(sup.get(sid, []))
        day, covered = dt.date.fromisoformat(p["hire_date"]), True
        for start, end in links:
            covered &= dt.date.fromisoformat(start) == day
            day = dt.date.fromisoformat(end) + dt.timedelta(days=1) if end else None
        term = dt.date.fromisoformat(p["termination_date"]) if p["termination_date"] else None
        if not links or not covered or (day is not None and (term is None or day <= term)):
            out.add(sid)
    return out


def test_one_import_call_takes_every_row_with_no_warning(trip):
    hr, services = trip["summaries"]
    assert (hr["kind"], services["kind"]) == ("job_spells", "services")
    for s in (hr, services):
        assert accounted(s) and s["rows_imported"] == s["rows"] and s["warnings"] == [], s["warnings"]
    assert services["rows"] == trip["truth"]["rows"]
    assert services["validation"]["status"] == "ok", services["validation"]["issues"]
    # every manager resolves to someone in the export; the rows without a manager are those of the people
    # with days nobody supervised (the top of the org, and days above a vacant seat chain)
    m = hr["managers"]
    assert m["n_external"] == m["n_ambiguous"] == m["n_clipped"] == m["n_no_overlap"] == 0
    assert {x["staff_id"] for x in m["missing"]} == _unsupervised(trip["org"]) != set()


def test_same_staff(trip):
    org, imp = by(read(trip["org"], "staff")), by(read(trip["imp"], "staff"))
    assert set(org) == set(imp)
    num = lambda v: float(v) if v else None  # noqa: E731
    for sid, o in org.items():
        i = imp[sid]
        assert (i["name"], i["discipline"], i["hire_date"], i["termination_date"], i["termination_type"],
                i["termination_reason"], num(i["fte"]), num(i["annual_salary"]), i["license"], i["external"]) == (
            o["name"], o["discipline"], o["hire_date"], o["termination_date"], o["termination_type"],
            o["termination_reason"], num(o["fte"]), num(o["annual_salary"]), o["license"], "false"), sid
    assert sum(1 for o in org.values() if o["termination_date"]) > 100


def test_same_programs_seats_assignments_and_supervision(trip):
    org, imp = trip["org"], trip["imp"]
    assert rows(imp, "programs") == rows(org, "programs")
    # seats keep their ids, titles, programs, role kinds and capacity; budgeted caseloads are not in an HR export
    cols = ["position_id", "title", "program_id", "role_kind", "capacity"]
    assert rows(imp, "positions", cols) == rows(org, "positions", cols)
    assert rows(imp, "assignments") == rows(org, "assignments")
    assert rows(imp, "supervision") == rows(org, "supervision")
    assert len(rows(org, "supervision")) > 400


def _silent_months(org) -> set[tuple[str, str]]:
    """Each clinician's months with no active client before their first month with one."""
    out, seen = set(), set()
    for sid, month, n in rows(org, "caseload", ["staff_id", "month", "active_clients"]):
        if n != "0":
            seen.add(sid)
        elif sid not in seen:
            out.add((sid, month))
    return out


def test_same_caseloads_documentation_and_supervision_sessions(trip):
    org, imp = trip["org"], trip["imp"]
    # a visit export has no row for a clinician's months before their first visit (docs/importing.md)
    silent = _silent_months(org)
    assert len(silent) == trip["case"]["silent_months"]
    assert rows(imp, "caseload") == [r for r in rows(org, "caseload") if r[:2] not in silent]
    num = lambda rs: sorted((a, b, float(c), float(d)) for a, b, c, d in rs if (a, b) not in silent)  # noqa: E731
    assert num(rows(imp, "documentation")) == num(rows(org, "documentation"))
    assert rows(imp, "supervision_sessions") == rows(org, "supervision_sessions")
    assert len(rows(org, "caseload")) > 3000 and len(rows(org, "supervision_sessions")) > 5000


def test_same_client_episodes_and_counts(trip):
    truth = trip["truth"]
    got = rows(trip["imp"], "client_assignments")
    assert got == rows(trip["ref"], "client_assignments")
    assert len({r[0] for r in got}) == truth["clients"] and len(got) == len(truth["episodes"])
    assert all(r[0].startswith("C-") and "MRN" not in r[0] for r in got)


def _claims(report: dict) -> list[tuple]:
    return [(f["kind"], f["subjects"], f["claim"], f["certainty"], f["ratio"], f["ci_low"], f["ci_high"],
             f["p_value"], f["p_adjusted"], f["estimated_cost"], f["headline"], f["evidence"])
            for f in report["findings"]]


def test_same_audit_findings(trip):
    base = trip["base"]
    ref, imp = _audit(trip["ref"], base / "audit-ref"), _audit(trip["imp"], base / "audit-imported")
    # the claims: kinds, subjects, intervals, dollars, and the sentences that give exits and expected exits
    assert _claims(imp) == _claims(ref)
    assert sum(1 for f in ref["findings"] if f["claim"]) >= 3
    assert {f["kind"] for f in ref["findings"]} >= {"cascade", "caseload", "documentation", "continuity"}
    # and everything else the audit says, but the folder it read and wrote
    for a in (ref, imp):
        a["org"].pop("source")
        a.pop("files")
    assert imp == ref


# ------------------------------------------------------------ one rule, small exports
STAFF = ("staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason\n"
         "S1,Ann Ng,LCSW,2022-01-01,,,\nS2,Bo Li,LPC,2022-01-01,,,\n")
ASSIGNMENTS = ("staff_id,position_id,start_date,end_date\n"
               "S1,OP-CLN1,2022-01-01,2023-03-15\nS1,OP-SUP1,2023-03-16,\nS2,OP-CLN2,2022-01-01,\n")


def test_caseload_months_end_with_the_last_seat_with_clients(tmp_path):
    """S1 sees clients as a clinician until 15 March, then supervises (no clients); S2 stays a clinician.
    S1's months stop in March, counted on 15 March, and their episodes are closed; S2's months run to the
    export's end, 0 once nobody was seen in 28 days, and S2's episode is still open. Documentation covers
    the same months, with 0 hours in a month without a service."""
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    (tmp_path / "assignments.csv").write_text(ASSIGNMENTS, encoding="utf-8")
    (tmp_path / "visits.csv").write_text("clin,client,date,min,note\n"
                                         "S1,A,2023-01-10,60,30\nS1,B,2023-02-20,60,30\nS1,C,2023-03-10,60,30\n"
                                         "S2,D,2023-03-20,60,30\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "services", "date_format": "%Y-%m-%d",
                           "columns": {"staff_id": "clin", "client_id": "client", "service_date": "date",
                                       "minutes": "min", "note_minutes": "note"},
                           "services": {"active_days": 28, "end_date": "2023-05-31", "pseudonymize": False}})
    s = import_services(tmp_path / "visits.csv", m, tmp_path, validate=False)
    assert s["rows_imported"] == 4
    got = [(r["staff_id"], r["month"], r["active_clients"]) for r in read(tmp_path, "caseload")]
    # 15 March counts B (23 days before) and C; S2 has D on 31 March (11 days), nobody after
    assert got == [("S1", "2023-01", "1"), ("S1", "2023-02", "1"), ("S1", "2023-03", "2"),
                   ("S2", "2023-03", "1"), ("S2", "2023-04", "0"), ("S2", "2023-05", "0")]
    eps = {(r["client_id"], r["end_date"]) for r in read(tmp_path, "client_assignments")}
    assert eps == {("A", "2023-01-10"), ("B", "2023-02-20"), ("C", "2023-03-10"), ("D", "")}
    doc = [(r["staff_id"], r["month"], float(r["session_hours"]), float(r["documentation_hours"]))
           for r in read(tmp_path, "documentation")]
    assert doc == [("S1", "2023-01", 1.0, 0.5), ("S1", "2023-02", 1.0, 0.5), ("S1", "2023-03", 1.0, 0.5),
                   ("S2", "2023-03", 1.0, 0.5), ("S2", "2023-04", 0.0, 0.0), ("S2", "2023-05", 0.0, 0.0)]


# ------------------------------------------------------------ hostile and malformed spell rows
SP_HEAD = "emp,name,from,to,dept,title,mgr,why\n"
SP_MAP = {"kind": "job_spells", "date_format": "%Y-%m-%d",
          "columns": {"staff_id": "emp", "name": "name", "start_date": "from", "end_date": "to",
                      "department": "dept", "title": "title", "manager_id": "mgr", "termination_reason": "why"}}


def test_hostile_and_malformed_spell_rows_are_rejected_with_file_and_line(tmp_path):
    body = ('1,Ann Ng,2019-01-01,,OP,Supervisor,,\n'                                    # 2 fine
            '2,"=HYPERLINK(""http://x"")",2019-02-01,2019-05-31,OP,Therapist,1,\n'      # 3 formula name: kept
            '3,Cy Ma,1066-10-14,,OP,Therapist,1,\n'                                     # 4 implausible start
            '4,Di Wu,2019-02-30,,OP,Therapist,1,\n'                                     # 5 no such day
            '5,Ed Yu,2019-02-01,2019-01-31,OP,Therapist,1,\n'                           # 6 ends before it starts
            '6,Fa Bo,2019-02-01,,OP,Therapist,99,\n'                                    # 7 manager not in export
            '"=cmd|\' /C calc\'!A0",Go Li,2019-02-01,2019-13-01,OP,Therapist,1,\n'      # 8 formula id, bad end
            '7,Hu Ko,2019-02-01,2019-12-31,OP,Therapist,1,\n'                           # 9 overlapped by 10
            '7,Hu Ko,2019-06-01,,IOP,Therapist,1,@SUM(A1)\n'                            # 10 overlaps 9
            '7,Hu Ko,2019-06-01,,OP,Therapist,1,\n'                                     # 11 same start as 10
            '8,Io Lu,2019-02-01,,OP,Therapist,1,,extra\n'                               # 12 one field too many
            '9,Ja Mo,2019-02-01,2250-01-01,OP,Therapist,1,\n'                           # 13 implausible end
            '10,Ka No,2019-02-01,9999-12-31,OP,Therapist,1,\n'                          # 14 "no end": current
            ',,,,,,,\n')                                                                # 15 blank
    (tmp_path / "spells.csv").write_text(SP_HEAD + body, encoding="utf-8")
    out = tmp_path / "bundle"
    s = import_file(tmp_path / "spells.csv", Mapping.from_dict(SP_MAP), out)
    assert accounted(s) and s["rows"] == 14
    with open(out / "rejected.csv", encoding="utf-8", newline="") as fh:
        rej = {r["source_line"]: r for r in csv.DictReader(fh)}
    assert {ln: (r["rule"], r["reason"]) for ln, r in rej.items()} == {
        "4": ("implausible-date", "start_date (from): '1066-10-14' is outside the plausible range 1900-2100"),
        "5": ("bad-date", "start_date (from): '2019-02-30' is not a date in the format YYYY-M-D (%Y-%m-%d)"),
        "6": ("end-before-start", "the spell ends on 2019-01-31, before it starts on 2019-02-01"),
        "8": ("bad-date", "end_date (to): '2019-13-01' is not a date in the format YYYY-M-D (%Y-%m-%d)"),
        "11": ("overlapping-spell", "staff 7: starts on 2019-06-01, the same day as the spell on line 10; one "
                                    "person holds one spell at a time"),
        "12": ("malformed-row", "row has 9 fields but the header has 8; check for an unquoted comma"),
        "13": ("implausible-date", "end_date (to): '2250-01-01' is outside the plausible range 1900-2100"),
        "15": ("blank-row", "blank row"),
    }
    assert rej["8"]["emp"] == "'=cmd|' /C calc'!A0"          # a formula is text in rejected.csv
    assert ("spells.csv:9: staff 7's spell (2019-02-01 to 2019-12-31) overlaps the spell on line 10 (from "
            "2019-06-01); it is taken to end on 2019-05-31") in s["warnings"]
    # a manager who is not in the export is an external record, listed with the line that named them
    assert s["managers"]["external"] == [{"staff_id": "99", "name": "Manager 99 (not in the export)",
                                          "first_line": 7, "supervisees": 1}]
    staff = by(read(out, "staff"))
    assert staff["2"]["name"] == '=HYPERLINK("http://x")'   # bundle files keep exact values
    assert staff["10"]["termination_date"] == "" and staff["99"]["external"] == "true"
    assert s["validation"]["status"] == "ok", s["validation"]["issues"]


def test_the_warehouse_job_spells_example_imports_as_documented(tmp_path):
    s = import_file(MAPS / "job_spells_sample.csv", MAPS / "job_spells.toml", tmp_path / "b")
    assert (s["rows"], s["rows_imported"], s["merged_by_rule"], s["rows_rejected"]) == (14, 13, {"duplicate-row": 1}, 0)
    assert s["validation"]["status"] == "ok", s["validation"]["issues"]
    staff = by(read(tmp_path / "b", "staff"))
    assert [(k, staff[k]["hire_date"], staff[k]["termination_date"], staff[k]["termination_type"])
            for k in ("E103", "E104", "E104-2", "E105", "E107")] == [
        ("E103", "2019-05-06", "2021-08-13", "voluntary"), ("E104", "2019-06-03", "2020-02-28", "voluntary"),
        ("E104-2", "2020-09-08", "", ""), ("E105", "2019-09-09", "2021-03-31", "involuntary"),
        ("E107", "2021-05-03", "2023-02-17", "retirement")]
    assert [(r["supervisor_id"], r["start_date"], r["end_date"]) for r in read(tmp_path / "b", "supervision")
            if r["staff_id"] == "E102"] == [("E101", "2019-04-01", "2020-06-30"), ("E103", "2020-07-01", "2021-08-13"),
                                            ("E100", "2021-08-14", "2021-10-31"), ("E106", "2021-11-01", "")]
    assert [(r["staff_id"], r["start_date"], r["end_date"]) for r in read(tmp_path / "b", "assignments")
            if r["position_id"] == "POS-210"] == [("E103", "2019-05-06", "2021-08-13"), ("E106", "2021-11-01", "")]
