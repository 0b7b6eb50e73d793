"""Tests for `orgraph import` of EHR service exports (kind = "services"): the round trip through a synthetic
org, the active rules, documentation versus note lag, pseudonyms, and hostile or malformed rows."""
from __future__ import annotations

from conftest import ANON_KEY, OTHER_KEY

import csv
import shutil

import pytest
from click.testing import CliRunner

from orgraph.cli import main
from orgraph.errors import ConfigError
from orgraph.importing import Mapping
from orgraph.importing.services import NOTE_LAG_FILE, REJECTED_FILE, import_services
from orgraph.privacy import Pseudonymizer
from orgraph.synth import generate

from importing_helpers import accounted, read
from services_export import write_export

REQUIRED = ("staff", "programs", "positions", "assignments", "supervision")
RT_MAPPING = {
    "kind": "services", "date_format": "%m/%d/%Y",
    "columns": {"staff_id": "Clinician", "client_id": "Client", "service_date": "Service Date", "start_time": "Start",
                "minutes": "Minutes", "service_code": "Code", "supervisee_id": "Supervisee",
                "note_minutes": "Note Minutes", "note_signed": "Note Signed"},
    "maps": {"service": {"90837": "clinical", "SUP-*": "supervision"}},
    "services": {"active_days": 28, "max_note_minutes": 1440},
}


def _pseudonym(key, client):
    return "C-" + Pseudonymizer(key)("client:" + client)[2:]


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    base = tmp_path_factory.mktemp("services")
    org = base / "org"
    generate(staff=150, years=3, seed=5, out=org)
    bundle = base / "bundle"
    bundle.mkdir()
    for name in REQUIRED:
        shutil.copy(org / f"{name}.csv", bundle)
    shutil.copy(org / "orgraph.toml", bundle)
    export, truth = write_export(org, base / "visits.csv")
    s = import_services(export, Mapping.from_dict(RT_MAPPING), bundle, key=ANON_KEY)
    return s, bundle, truth, org


def test_round_trip_accounts_for_every_row_and_validates(roundtrip):
    s, bundle, truth, _ = roundtrip
    assert s["rows"] == truth["rows"] and s["rows_imported"] == truth["rows"] and accounted(s)
    assert s["validation"]["status"] == "ok", s["validation"]["issues"]
    assert s["warnings"] == []


def test_round_trip_monthly_caseloads_match_within_the_active_rule(roundtrip):
    _, bundle, truth, _ = roundtrip
    got = {(r["staff_id"], r["month"]): int(r["active_clients"]) for r in read(bundle, "caseload")}
    # a month the clinician worked to its last day counts exactly the clients of the original caseload.csv
    assert len(truth["exact"]) > 4000
    assert {k: got.get(k, 0) for k in truth["exact"]} == truth["exact"]
    # a month cut short (exit, export end) counts on that day everyone seen in the 28 days before it,
    # which can include clients of the month before
    assert all(got.get(k, 0) >= v for k, v in truth["at_least"].items())
    assert not [k for k, v in got.items() if v and k not in truth["exact"] and k not in truth["at_least"]]


def test_round_trip_documentation_supervision_and_episodes(roundtrip):
    _, bundle, truth, _ = roundtrip
    doc = {(r["staff_id"], r["month"]): (float(r["session_hours"]), float(r["documentation_hours"]))
           for r in read(bundle, "documentation")}
    # documentation covers the caseload months; a month without a service has 0 hours
    months = {(r["staff_id"], r["month"]) for r in read(bundle, "caseload")}
    assert doc == {**{k: (0.0, 0.0) for k in months}, **truth["hours"]}
    sup = sorted((r["supervisor_id"], r["staff_id"], r["date"], r["minutes"])
                 for r in read(bundle, "supervision_sessions"))
    assert sup == truth["supervision"]
    eps = {(r["client_id"], r["staff_id"], r["start_date"], r["end_date"]) for r in read(bundle, "client_assignments")}
    want = {(_pseudonym(ANON_KEY, c), sid, a, b) for c, sid, a, b in truth["episodes"]}
    assert eps == want
    assert all(r["client_id"].startswith("C-") and not r["client_id"].startswith("C-MRN")
               for r in read(bundle, "client_assignments"))
    lag = read(bundle, NOTE_LAG_FILE.removesuffix(".csv"))
    assert lag and all(r["notes_unsigned"] == "0" for r in lag)


def test_round_trip_bundle_audits(roundtrip, tmp_path):
    _, bundle, _, _ = roundtrip
    r = CliRunner().invoke(main, ["audit", str(bundle), "--out", str(tmp_path / "audit"), "--no-png",
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    assert "caseload" in r.output and "continuity" in r.output


# ------------------------------------------------------------ small exports
STAFF = ("staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason\n"
         "S1,Ann Ng,LCSW,2022-01-01,,,\n"
         "S2,Bo Li,LPC,2022-01-01,2023-03-31,voluntary,\n"
         "S3,Cy Ma,LCSW,2022-01-01,2022-06-30,voluntary,\n"
         "S3-2,Cy Ma,LCSW,2023-01-01,,,\n")
HEAD = "clin,client,date,start,end,min,code,sv,signed\n"
COLS = {"staff_id": "clin", "client_id": "client", "service_date": "date", "start_time": "start", "end_time": "end",
        "minutes": "min", "service_code": "code", "supervisee_id": "sv", "note_signed": "signed"}


def services(tmp_path, body, *, key=ANON_KEY, **extra):
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    src = tmp_path / "visits.csv"
    src.write_text(HEAD + body, encoding="utf-8")
    m = {"kind": "services", "date_format": "%Y-%m-%d", "columns": dict(COLS),
         "maps": {"service": {"90837": "clinical", "SUP": "supervision", "NS": "ignore"}}}
    for k, v in extra.items():
        m[k] = {**m.get(k, {}), **v} if isinstance(v, dict) else v
    return import_services(src, Mapping.from_dict(m), tmp_path, key=key, validate=False), tmp_path


def rejected(out):
    with open(out / REJECTED_FILE, encoding="utf-8", newline="") as fh:
        return {r["source_line"]: r for r in csv.DictReader(fh)}


def test_hostile_and_malformed_rows_are_rejected_with_file_and_line(tmp_path):
    body = ("S1,C1,2023-01-10,09:00,09:50,,90837,,\n"                      # 2 fine
            "S1,C1,2023-01-10,09:00,09:50,,90837,,\n"                      # 3 duplicate of 2
            "=HYPERLINK(\"http://x\"),C2,2023-01-11,,,50,90837,,\n"        # 4 formula as a staff id
            "S1,C3,2023-02-30,,,50,90837,,\n"                              # 5 no such day
            "S1,C3,1066-10-14,,,50,90837,,\n"                              # 6 implausible
            "S1,C3,2023-01-12,,,-5,90837,,\n"                              # 7 negative minutes
            "S1,C3,2023-01-12,,,1e999,90837,,\n"                           # 8 not finite
            "S1,C3,2023-01-12,10:00,09:00,,90837,,\n"                      # 9 ends before it starts
            "S1,C3,2023-01-12,25:61,,50,90837,,\n"                         # 10 no such time
            "S1,,2023-01-12,,,50,90837,,\n"                                # 11 no client
            "S2,C4,2023-05-01,,,50,90837,,\n"                              # 12 after S2 left
            "S1,C5,2023-01-13,,,50,NS,,\n"                                 # 13 a no-show
            "S1,,2023-01-13,,,60,SUP,S1,\n"                                # 14 supervising themself
            "S1,,2023-01-13,,,60,SUP,S99,\n"                               # 15 unknown supervisee
            "S1,C6,2023-01-14,,,50,90837,,\"oops\nspans a line\"\n"        # 16-17 a quoted newline: kept
            "S1,C7,2023-01-15,,,50,90837,,,extra\n"                        # 18 one field too many
            ",,,,,,,,\n"                                                   # 19 blank
            ",C8,2023-01-15,,,50,90837,,\n")                               # 20 no staff id
    s, out = services(tmp_path, body)
    assert accounted(s) and s["rows"] == 18          # 19 lines, one row spans two
    rej = rejected(out)
    got = {ln: (r["rule"], r["reason"]) for ln, r in rej.items()}
    assert got == {
        "4": ("unknown-staff-id", "staff id '=HYPERLINK(\"http://x\")' (clin) is not in staff.csv"),
        "5": ("bad-date", "service_date (date): '2023-02-30' is not a date in the format YYYY-M-D (%Y-%m-%d)"),
        "6": ("implausible-date", "service_date (date): '1066-10-14' is outside the plausible range 1900-2100"),
        "7": ("bad-minutes", "minutes (min): -5 is not between 0 and 1440"),
        "8": ("bad-minutes", "minutes (min): '1e999' is not a number of minutes"),
        "9": ("end-before-start", "end_time '09:00' is before start_time '10:00'"),
        "10": ("bad-time", "start_time (start): '25:61' is not a time of day (14:05) or a timestamp (ISO 8601)"),
        "11": ("missing-client-id", "no client id in column 'client'"),
        "12": ("outside-employment", "service on 2023-05-01 is outside staff 'S2''s employment "
                                     "(2022-01-01 to 2023-03-31)"),
        "13": ("ignored-service", "service code 'NS' maps to ignore under [maps.service]"),
        "14": ("self-supervision", "'S1' is listed as supervising themself"),
        "15": ("unknown-staff-id", "supervisee 'S99' (sv) is not in staff.csv"),
        "18": ("malformed-row", "row has 10 fields but the header has 9; check for an unquoted comma"),
        "19": ("blank-row", "blank row"),
        "20": ("missing-staff-id", "no staff id in column 'clin'"),
    }
    assert s["merged_by_rule"] == {"duplicate-row": 1}
    assert rej["4"]["clin"] == "'=HYPERLINK(\"http://x\")"        # shown as text in a spreadsheet
    assert "visits.csv:4 unknown-staff-id: staff id '=HYPERLINK(\"http://x\")' (clin) is not in staff.csv" in \
        s["rejected_examples"]
    assert s["warnings"] == ["1 row(s): note_signed (signed) is unreadable; counted as not signed (line 16)"]
    assert {r["client_id"] for r in read(out, "client_assignments")} == {_pseudonym(ANON_KEY, "C1"), _pseudonym(ANON_KEY, "C6")}


def test_a_rehired_clinician_resolves_to_the_employment_of_the_day(tmp_path):
    body = ("S3,C1,2022-03-01,,,50,90837,,\n"
            "S3,C1,2023-02-01,,,50,90837,,\n"
            "S3,C1,2022-09-01,,,50,90837,,\n")          # between the two employments
    s, out = services(tmp_path, body, services={"pseudonymize": False})
    assert s["rejected_by_rule"] == {"outside-employment": 1}
    assert rejected(out)["4"]["reason"] == ("service on 2022-09-01 is outside staff 'S3''s employment "
                                            "(2022-01-01 to 2022-06-30, 2023-01-01 to now)")
    assert [(r["client_id"], r["staff_id"], r["start_date"], r["end_date"]) for r in read(out, "client_assignments")] \
        == [("C1", "S3", "2022-03-01", "2022-03-01"), ("C1", "S3-2", "2023-02-01", "")]


def test_active_rules_and_episode_gap(tmp_path):
    # C1 seen 2023-01-05 and 2023-03-20 (74 days apart), C2 on 2023-01-25; the export ends 2023-05-31
    body = ("S1,C1,2023-01-05,,,50,90837,,\n"
            "S1,C2,2023-01-25,,,50,90837,,\n"
            "S1,C1,2023-03-20,,,50,90837,,\n")
    s, out = services(tmp_path, body, services={"active_days": 30, "episode_gap_days": 60,
                                                 "end_date": "2023-05-31"})
    # Jan 31: both seen within 30 days; Feb 28: C2 was 34 days ago; Mar 31: C1 (11 days); Apr 30: 41 days; May: 0
    assert [(r["month"], r["active_clients"]) for r in read(out, "caseload")] == [
        ("2023-01", "2"), ("2023-02", "0"), ("2023-03", "1"), ("2023-04", "0"), ("2023-05", "0")]
    # 74 days > 60: C1 has two episodes; the last (72 days before the end) is closed, C2's too
    eps = sorted((r["start_date"], r["end_date"]) for r in read(out, "client_assignments"))
    assert eps == [("2023-01-05", "2023-01-05"), ("2023-01-25", "2023-01-25"), ("2023-03-20", "2023-03-20")]
    s, out = services(tmp_path, body + "S1,C3,2023-06-01,,,50,90837,,\n",
                      services={"active_rule": "episode", "episode_gap_days": 90, "end_date": "2023-05-31"})
    assert rejected(out)["5"]["reason"] == "service_date (date): 2023-06-01 is after [services] end_date = 2023-05-31"
    # one open episode for C1 from Jan 5 (the last service is 72 days before the end), C2's closed in January
    assert [(r["month"], r["active_clients"]) for r in read(out, "caseload")] == [
        ("2023-01", "2"), ("2023-02", "1"), ("2023-03", "1"), ("2023-04", "1"), ("2023-05", "1")]


def test_note_lag_is_its_own_measure_and_never_documentation_hours(tmp_path):
    body = ("S1,C1,2023-01-10,09:00,09:50,,90837,,2023-01-10 11:50\n"      # signed 2 h after the end
            "S1,C2,2023-01-11,09:00,10:00,,90837,,2023-01-15T10:00\n"      # 96 h
            "S1,C3,2023-01-12,09:00,10:00,,90837,,\n")                     # not signed
    s, out = services(tmp_path, body)
    assert not (out / "documentation.csv").exists()
    assert s["notes"][0] == ("documentation.csv is not written: the export has no documentation time (note "
                             "minutes, or note start and end times); the note signature lag is in note_lag.csv "
                             "instead, a different measure")
    (lag,) = read(out, NOTE_LAG_FILE.removesuffix(".csv"))
    assert (lag["services"], lag["notes_signed"], lag["notes_unsigned"], lag["median_lag_hours"],
            lag["signed_within_72h"]) == ("3", "2", "1", "49.0", "0.333")


def test_documentation_from_note_start_and_end(tmp_path):
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    (tmp_path / "v.csv").write_text("clin,client,date,min,ns,ne\n"
                                    "S1,C1,2023-01-10,60,2023-01-10 10:00,2023-01-10 10:20\n"
                                    "S1,C2,2023-01-11,45,2023-01-11 10:00,2023-01-11 09:00\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "services", "date_format": "%Y-%m-%d", "columns": {
        "staff_id": "clin", "client_id": "client", "service_date": "date", "minutes": "min",
        "note_started": "ns", "note_ended": "ne"}})
    s = import_services(tmp_path / "v.csv", m, tmp_path, key=ANON_KEY, validate=False)
    assert read(tmp_path, "documentation") == [{"staff_id": "S1", "month": "2023-01", "session_hours": "1.75",
                                                "documentation_hours": "0.33"}]
    assert "1 row(s): the note ends before it starts; its documentation time is left out (line 3)" in s["warnings"]


def test_a_key_is_needed_to_pseudonymise(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGRAPH_ANON_KEY", raising=False)
    with pytest.raises(ConfigError, match="client ids are pseudonymised on import and that needs a key"):
        services(tmp_path, "S1,C1,2023-01-10,,,50,90837,,\n", key=None)
    monkeypatch.setenv("ORGRAPH_ANON_KEY", OTHER_KEY)
    _, out = services(tmp_path, "S1,C1,2023-01-10,,,50,90837,,\n", key=None)
    assert read(out, "client_assignments")[0]["client_id"] == _pseudonym(OTHER_KEY, "C1")


def test_mapping_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match=r"active_rule = 'open': expected \"seen_within\""):
        services(tmp_path, "", services={"active_rule": "open"})
    with pytest.raises(ConfigError, match="unknown field 'client' under \\[columns\\] \\(did you mean 'client_id'"):
        Mapping.from_dict({"kind": "services", "columns": {"staff_id": "a", "service_date": "b", "client": "c"}})
    with pytest.raises(ConfigError, match="\\[maps.service\\] 'X' = 'billing': expected one of clinical, "
                                          "supervision, ignore"):
        Mapping.from_dict({"kind": "services", "columns": {"staff_id": "a", "service_date": "b"},
                           "maps": {"service": {"X": "billing"}}})
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    (tmp_path / "v.csv").write_text("clin,day\nS1,2023-01-01\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "services", "columns": {"staff_id": "clin", "service_date": "date"}})
    with pytest.raises(ConfigError, match="\\[columns\\] service_date = 'date', but v.csv has no such column"):
        import_services(tmp_path / "v.csv", m, tmp_path, key=ANON_KEY)


def test_cli_imports_a_roster_and_a_services_export_into_one_bundle(tmp_path):
    from importing_helpers import MAPS

    out = tmp_path / "org"
    args = ["import", str(MAPS / "roster_sample.csv"), str(MAPS / "services_sample.csv"), "--mapping",
            str(MAPS / "roster.toml"), "--mapping", str(MAPS / "services.toml"), "--out", str(out)]
    r = CliRunner().invoke(main, [*args, "--key", ANON_KEY])
    assert r.exit_code == 0, r.output
    assert "18 source rows: 13 imported, 1 merged, 4 rejected (see " in r.output
    assert ("services_sample.csv:18 unknown-staff-id: staff id 'E999' (Rendering Provider) is not in staff.csv"
            in r.output)
    assert r.output.rstrip().endswith("validation: ok (0 errors, 0 warnings)")
    assert [(x["staff_id"], x["month"], x["active_clients"]) for x in read(out, "caseload")][:3] == [
        ("E103", "2023-01", "2"), ("E103", "2023-02", "3"), ("E103", "2023-03", "3")]
    # services alone into the bundle: refused while its files exist, replaced with --force
    one = ["import", str(MAPS / "services_sample.csv"), "-m", str(MAPS / "services.toml"), "-o", str(out)]
    r = CliRunner().invoke(main, [*one, "--key", ANON_KEY])
    assert r.exit_code == 2 and "already has caseload.csv, documentation.csv" in r.output
    r = CliRunner().invoke(main, [*one, "--force", "--format", "json"], env={"ORGRAPH_ANON_KEY": ANON_KEY})
    assert r.exit_code == 0, r.output
    assert __import__("json").loads(r.output)["rows_imported"] == 13
    r = CliRunner().invoke(main, [*args[:3], "-m", str(MAPS / "roster.toml"), "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "2 file(s) but 1 --mapping(s)" in r.output
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), str(MAPS / "job_history_sample.csv"),
                                  "-m", str(MAPS / "roster.toml"), "-m", str(MAPS / "job_history.toml"),
                                  "-o", str(tmp_path / "y")])
    assert r.exit_code == 2 and "cannot combine roster, job_history" in r.output


def test_an_excel_export_with_date_cells(tmp_path):
    import datetime as dt

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["clin", "client", "date", "min"])
    ws.append(["S1", 100231, dt.datetime(2023, 1, 9), 53])           # a number id, a date cell
    ws.append(["S1", "100231", "02/07/2023", 45])                   # a text date in the mapping's format
    ws.append(["S1", "100232", "not a date", 45])
    wb.save(tmp_path / "v.xlsx")
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    m = Mapping.from_dict({"kind": "services", "date_format": "%m/%d/%Y", "columns": {
        "staff_id": "clin", "client_id": "client", "service_date": "date", "minutes": "min"},
        "services": {"pseudonymize": False}})
    s = import_services(tmp_path / "v.xlsx", m, tmp_path, validate=False)
    assert (s["rows_imported"], s["rejected_by_rule"]) == (2, {"bad-date": 1})
    assert read(tmp_path, "client_assignments") == [{"client_id": "100231", "staff_id": "S1",
                                                    "start_date": "2023-01-09", "end_date": ""}]
