"""Tests for `orgraph import`: mappings, dates, rosters, job histories, rejections, real exports."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orgraph.errors import ConfigError, SourceError
from orgraph.importing import Mapping, detect_format, import_file, infer_mapping, load_mapping
from orgraph.importing.names import NameIndex, name_tokens

ROOT = Path(__file__).resolve().parents[1]
MAPS = ROOT / "examples" / "mappings"
DATASETS = Path("/work/shared/datasets")
HR14 = DATASETS / "HRDataset_v14.csv"
ORACLE = DATASETS / "oracle_hr" / "employees.csv"

ROSTER_COLS = {"staff_id": "id", "name": "name", "hire_date": "hired", "termination_date": "left",
               "termination_reason": "why", "department": "dept", "title": "title", "manager_name": "boss"}
ROSTER_HEAD = "id,name,hired,left,why,dept,title,boss\n"


def roster(tmp_path, body: str, *, head: str = ROSTER_HEAD, validate: bool = True, **mapping):
    src = tmp_path / "export.csv"
    src.write_text(head + body, encoding="utf-8")
    m = {"kind": "roster", "date_format": "%Y-%m-%d", "columns": dict(ROSTER_COLS)}
    for k, v in mapping.items():
        if isinstance(v, dict) and isinstance(m.get(k), dict):
            m[k].update(v)
        else:
            m[k] = v
    out = tmp_path / "bundle"
    s = import_file(src, Mapping.from_dict(m), out, validate=validate)
    return s, out


def read(out: Path, name: str) -> list[dict]:
    with open(out / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by(rows, key="staff_id"):
    return {r[key]: r for r in rows}


def accounted(s):
    return s["rows_imported"] + s["rows_merged"] + s["rows_rejected"] == s["rows"]


# ---------------------------------------------------------------- mapping file rules

def test_mapping_unknown_field_is_an_error_with_suggestion():
    with pytest.raises(ConfigError, match=r"unknown field 'manger_name' under \[columns\] \(did you mean "
                                          r"'manager_name'\?\)"):
        Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "a", "hire_date": "b", "manger_name": "c"}})


def test_mapping_unknown_section_and_kind_and_requirements():
    with pytest.raises(ConfigError, match="unknown setting 'colums'"):
        Mapping.from_dict({"kind": "roster", "colums": {}})
    with pytest.raises(ConfigError, match='kind = "roster"'):
        Mapping.from_dict({"kind": "snapshot", "columns": {"staff_id": "a"}})
    with pytest.raises(ConfigError, match="a roster needs \\[columns\\] hire_date"):
        Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "a"}})
    with pytest.raises(ConfigError, match="a job history needs \\[columns\\] effective_date"):
        Mapping.from_dict({"kind": "job_history", "columns": {"staff_id": "a"}})
    with pytest.raises(ConfigError, match="needs staff_id"):
        Mapping.from_dict({"kind": "roster", "columns": {"hire_date": "a"}})


def test_mapping_value_map_targets_are_checked():
    with pytest.raises(ConfigError, match=r"\[maps.termination_type\] 'Quit' = 'voluntry': expected one of "
                                          r"voluntary, involuntary, retirement, other \(did you mean 'voluntary'\?\)"):
        Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "a", "hire_date": "b"},
                           "maps": {"termination_type": {"Quit": "voluntry"}}})
    with pytest.raises(ConfigError, match="role_kind"):
        Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "a", "hire_date": "b"},
                           "maps": {"role_kind": {"Nurse": "nurse"}}})
    with pytest.raises(ConfigError, match="unknown map \\[maps.titles\\]"):
        Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "a", "hire_date": "b"},
                           "maps": {"titles": {}}})


def test_mapping_date_format_without_codes_is_an_error():
    with pytest.raises(ConfigError, match="has no strptime codes"):
        Mapping.from_dict({"kind": "roster", "date_format": "MM/DD/YYYY",
                           "columns": {"staff_id": "a", "hire_date": "b"}})


def test_mapped_column_missing_from_export_names_the_closest(tmp_path):
    with pytest.raises(ConfigError, match=r"\[columns\] hire_date = 'Hire Date', but export.csv has no such "
                                          r"column; closest match: 'HireDate'"):
        roster(tmp_path, "1,A,2020-01-01,,,,,\n", head="id,name,HireDate,left,why,dept,title,boss\n",
               columns={"hire_date": "Hire Date"})


def test_load_mapping_reads_toml_and_reports_bad_toml(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text('kind = "roster"\n[columns]\nstaff_id = "id"\nhire_date = "h"\n', encoding="utf-8")
    assert load_mapping(p).columns == {"staff_id": "id", "hire_date": "h"}
    p.write_text('kind = "roster\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mapping(p)


# ---------------------------------------------------------------- dates

def test_auto_date_format_decided_by_a_disambiguating_value():
    p = detect_format(["03/04/2015", "07/25/2011", ""])
    assert (p.fmt, p.evidence) == ("%m/%d/%Y", "07/25/2011")
    p = detect_format(["03/04/2015", "25/07/2011"])
    assert (p.fmt, p.evidence) == ("%d/%m/%Y", "25/07/2011")
    assert detect_format(["2015-03-04"]).fmt == "%Y-%m-%d"


def test_auto_date_format_ambiguous_is_reported_not_guessed():
    with pytest.raises(ConfigError) as exc:
        detect_format(["3/4/2015", "5/6/2016", "12/1/2019"])
    msg = str(exc.value)
    assert "cannot decide the day/month order" in msg
    assert 'Set date_format = "%m/%d/%Y" or "%d/%m/%Y"' in msg


def test_auto_date_format_mixed_orders_is_an_error():
    with pytest.raises(ConfigError, match="mix day/month orders: '07/25/2011' is only M/D/YYYY but "
                                          "'25/07/2011' is only D/M/YYYY"):
        detect_format(["07/25/2011", "25/07/2011", "01/02/2020"])


def test_auto_dates_in_an_import_are_pooled_over_date_columns(tmp_path):
    # hire dates alone are ambiguous; a termination date decides the order
    s, out = roster(tmp_path, "1,A,03/04/2015,11/30/2016,Quit,OP,T,\n2,B,05/06/2016,,,OP,T,\n",
                    date_format="auto")
    assert s["date_format"] == {"format": "%m/%d/%Y", "detected": True, "evidence": "11/30/2016"}
    assert by(read(out, "staff"))["1"]["hire_date"] == "2015-03-04"
    with pytest.raises(ConfigError, match="cannot decide"):
        roster(tmp_path, "1,A,03/04/2015,,,OP,T,\n", date_format="auto")


def test_explicit_date_format_rejects_rows_that_do_not_fit(tmp_path):
    s, out = roster(tmp_path, "1,A,7/5/2011,,,OP,T,\n2,B,2011-07-05,,,OP,T,\n", date_format="%m/%d/%Y")
    assert by(read(out, "staff"))["1"]["hire_date"] == "2011-07-05"
    rej = read(out, "rejected")
    assert [(r["source_line"], r["rule"]) for r in rej] == [("3", "bad-date")]
    assert rej[0]["reason"] == "hire_date (hired): '2011-07-05' is not a date in the format M/D/YYYY (%m/%d/%Y)"


def test_per_field_date_formats(tmp_path):
    s, out = roster(tmp_path, "1,A,2011-07-05,30/11/2012,Quit,OP,T,\n",
                    date_formats={"termination_date": "%d/%m/%Y"})
    assert by(read(out, "staff"))["1"]["termination_date"] == "2012-11-30"


# ---------------------------------------------------------------- names

def test_name_normalisation_variants():
    assert name_tokens("LeBlanc, Brandon  R") == name_tokens("Brandon R. LeBlanc") == ("brandon", "r", "leblanc")
    assert name_tokens("  SMITH ,  john ") == ("john", "smith")
    assert name_tokens("José Núñez") == ("jose", "nunez")
    assert name_tokens("Smith John", order="last_first") == ("john", "smith")
    ix = NameIndex()
    ix.add("1", "Reyes, Marco A.")
    ix.add("2", "Chen, Lily")
    assert ix.lookup("Marco Reyes").ids == ("1",) and ix.lookup("Marco Reyes").rule == "no-initials"
    assert ix.lookup("marco a reyes").rule == "full"
    assert ix.lookup("Chen Lily").rule == "any-order"


# ---------------------------------------------------------------- roster rules

def test_roster_value_maps_and_fallbacks(tmp_path):
    body = ("1,\"Ng, Ann\",2020-01-01,,,Outpatient Clinic,Clinical Director,\n"
            "2,Bo Li,2020-02-01,2021-05-31,Resigned - pay,Outpatient Clinic,Family Therapist,Ann Ng\n"
            "3,Cy Ma,2020-02-01,2021-06-30,Fired,Crisis Team  ,Peer Specialist,Ann Ng\n"
            "4,Di Wu,2020-02-01,2021-07-31,Moved away,,Receptionist,Ann Ng\n")
    s, out = roster(tmp_path, body, maps={
        "termination_type": {"Resigned*": "voluntary", "fired": "involuntary"},
        "program": {"Outpatient Clinic": "OP"},
        "service_line": {"OP": "outpatient"},
        "role_kind": {"Clinical Director": "director", "*therapist*": "clinician"}})
    staff = by(read(out, "staff"))
    assert [staff[i]["termination_type"] for i in "234"] == ["voluntary", "involuntary", "other"]
    assert staff["4"]["termination_reason"] == "Moved away"
    assert staff["1"]["termination_type"] == "" and staff["1"]["external"] == "false"
    progs = by(read(out, "programs"), "program_id")
    # mapped id; unmapped department -> slug of the trimmed name; blank department -> "unassigned"
    assert progs == {"OP": {"program_id": "OP", "name": "Outpatient Clinic", "service_line": "outpatient"},
                     "crisis-team": {"program_id": "crisis-team", "name": "Crisis Team", "service_line": "other"},
                     "unassigned": {"program_id": "unassigned", "name": "Unassigned", "service_line": "other"}}
    pos = by(read(out, "positions"), "position_id")
    assert pos["OP:clinical-director:1"]["role_kind"] == "director"
    assert pos["OP:family-therapist:1"]["role_kind"] == "clinician"
    assert pos["crisis-team:peer-specialist:1"]["role_kind"] == "other"
    assert s["unmapped"]["termination_type"] == {"Moved away": 1}
    assert set(s["unmapped"]["role_kind"]) == {"Peer Specialist", "Receptionist"}
    assert set(s["unmapped"]["service_line"]) == {"Crisis Team", "Unassigned"}
    assert s["validation"]["status"] == "ok"


def test_defaults_can_be_overridden(tmp_path):
    s, out = roster(tmp_path, "1,A,2020-01-01,2021-01-01,Moved,,Aide,\n",
                    defaults={"termination_type": "voluntary", "role_kind": "clinician", "program": "main",
                              "service_line": "general"})
    assert by(read(out, "staff"))["1"]["termination_type"] == "voluntary"
    assert read(out, "positions")[0]["role_kind"] == "clinician"
    assert read(out, "programs") == [{"program_id": "main", "name": "Main", "service_line": "general"}]


def test_lookup_maps_for_codes_and_map_files(tmp_path):
    (tmp_path / "jobs.csv").write_text("code,label\nTH1,Therapist\n", encoding="utf-8")
    m = tmp_path / "m.toml"
    m.write_text('kind = "roster"\ndate_format = "%Y-%m-%d"\n[columns]\nstaff_id = "id"\nhire_date = "h"\n'
                 'title = "job"\ndepartment = "dep"\n[maps.title]\n_file = {path = "jobs.csv", key = "code", '
                 'value = "label"}\n[maps.department]\n"10" = "Outpatient"\n', encoding="utf-8")
    (tmp_path / "e.csv").write_text("id,h,job,dep\n1,2020-01-01,TH1,10\n2,2020-01-01,XX9,20\n", encoding="utf-8")
    s = import_file(tmp_path / "e.csv", m, tmp_path / "b")
    assert sorted(r["position_id"] for r in read(tmp_path / "b", "positions")) == ["20:xx9:1",
                                                                                    "outpatient:therapist:1"]
    assert by(read(tmp_path / "b", "programs"), "program_id")["outpatient"]["name"] == "Outpatient"
    assert s["validation"]["status"] == "ok"


def test_first_and_last_name_columns(tmp_path):
    src = tmp_path / "e.csv"
    src.write_text("id,first,last,h,mgr\n1,Ann,Ng,2020-01-01,\n2,Bo,Li,2020-01-01,Ann Ng\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "first_name": "first",
                                                         "last_name": "last", "hire_date": "h",
                                                         "manager_name": "mgr"}})
    import_file(src, m, tmp_path / "b")
    assert by(read(tmp_path / "b", "staff"))["2"]["name"] == "Bo Li"
    assert read(tmp_path / "b", "supervision") == [
        {"staff_id": "2", "supervisor_id": "1", "start_date": "2020-01-01", "end_date": ""}]


def test_roster_rejection_rules_and_rejected_csv(tmp_path):
    body = ("1,A,2020-01-01,,,OP,T,\n"
            ",B,2020-01-01,,,OP,T,\n"            # line 3 missing-staff-id
            "3,C,,,,OP,T,\n"                     # line 4 missing-hire-date
            "4,D,2020-13-01,,,OP,T,\n"           # line 5 bad-date
            "5,E,2020-05-01,2020-04-30,x,OP,T,\n"  # line 6 termination-before-hire
            "1,A,2020-01-01,,,OP,T,\n"           # line 7 duplicate-row (merged)
            "1,A2,2020-01-01,,,OP,T,\n"          # line 8 duplicate-staff-id
            ",,,,,,,\n"                          # line 9 blank-row
            "6,F,2020-01-01,,,OP,T,,extra\n"     # line 10 malformed-row
            "7,G,2020-01-01,2020-01-01,x,OP,T,\n")  # line 11 fine: one-day job
    s, out = roster(tmp_path, body)
    assert accounted(s) and s["rows"] == 10
    assert s["rows_imported"] == 2 and s["rows_merged"] == 1 and s["rows_rejected"] == 7
    rej = {int(r["source_line"]): r for r in read(out, "rejected")}
    assert {k: r["rule"] for k, r in rej.items()} == {
        3: "missing-staff-id", 4: "missing-hire-date", 5: "bad-date", 6: "termination-before-hire",
        8: "duplicate-staff-id", 9: "blank-row", 10: "malformed-row"}
    assert rej[6]["reason"] == "termination date 2020-04-30 is before the hire date 2020-05-01"
    assert rej[8]["reason"].startswith("staff id '1' is already on line 2 with different values")
    assert rej[8]["name"] == "A2"          # the export's own cells follow the reason
    assert s["merged_by_rule"] == {"duplicate-row": 1}
    assert s["validation"]["status"] == "ok"


def test_bad_number_is_left_empty_with_a_warning(tmp_path):
    s, out = roster(tmp_path, "1,A,2020-01-01,,,OP,T,,abc\n2,B,2020-01-01,,,OP,T,,\"$1,200.50\"\n",
                    head="id,name,hired,left,why,dept,title,boss,pay\n", columns={"annual_salary": "pay"})
    staff = by(read(out, "staff"))
    assert staff["1"]["annual_salary"] == "" and staff["2"]["annual_salary"] == "1200.5"
    assert s["warnings"] == ["line 2: annual_salary (pay) 'abc' is not a number; left empty"]


# ---------------------------------------------------------------- managers in rosters

def test_roster_manager_resolution_lists(tmp_path):
    body = ("1,\"Reyes, Marco A.\",2018-01-01,,,OP,Supervisor,Dana Whitfield\n"  # external manager
            "2,\"Jones, Pat\",2018-01-01,,,OP,Peer,Marco Reyes\n"               # loose match (initial dropped)
            "3,\"Jones, Pat\",2019-01-01,,,OP,Peer,Marco Reyes\n"
            "4,Lee Morgan,2019-01-01,,,OP,Intake,Pat Jones\n"                   # ambiguous: 2 and 3
            "5,Toby Green,2019-01-01,,,OP,Therapist,\n"                         # missing
            "6,Kim Park,2010-01-01,2015-12-31,Quit,OP,Therapist,Marco Reyes\n"  # left before manager's hire
            "7,Ivy Wu,2017-06-01,,,OP,Therapist,Marco A Reyes\n"                # clipped to 2018-01-01
            "8,Self Made,2017-06-01,,,OP,Therapist,Made Self\n"                 # self (any-order)
            "9,Al Bo,2017-06-01,,,OP,Therapist,Board of Directors\n")           # ignored
    s, out = roster(tmp_path, body, managers={"ignore": ["board of  directors"]})
    m = s["managers"]
    assert [e["name"] for e in m["external"]] == ["Dana Whitfield"]
    assert m["loose"][:1] == [{"manager": "Marco Reyes", "staff_id": "1", "name": "Reyes, Marco A.",
                           "rule": "no-initials"}]
    assert m["ambiguous"] == [{"manager": "Pat Jones", "matches": ["2", "3"], "rule": "full"}]
    assert [x["staff_id"] for x in m["missing"]] == ["5"]
    assert [x["staff_id"] for x in m["no_overlap"]] == ["6"]
    assert [(x["staff_id"], x["start"]) for x in m["clipped"]] == [("7", "2018-01-01")]
    assert [x["staff_id"] for x in m["self"]] == ["8"]
    assert [x["staff_id"] for x in m["ignored"]] == ["9"]
    staff = by(read(out, "staff"))
    ext = staff["ext-dana-whitfield"]
    assert (ext["name"], ext["external"], ext["hire_date"], ext["discipline"]) == (
        "Dana Whitfield", "true", "2018-01-01", "external")
    sup = {(r["staff_id"], r["supervisor_id"]): (r["start_date"], r["end_date"]) for r in read(out, "supervision")}
    assert sup == {("1", "ext-dana-whitfield"): ("2018-01-01", ""), ("2", "1"): ("2018-01-01", ""),
                   ("3", "1"): ("2019-01-01", ""), ("7", "1"): ("2018-01-01", "")}
    assert s["rows_imported"] == 9 and s["validation"]["status"] == "ok"


def test_roster_supervision_ends_at_the_managers_exit(tmp_path):
    body = ("1,Ann Ng,2018-01-01,2020-03-31,Quit,OP,Sup,\n"
            "2,Bo Li,2019-01-01,,,OP,Ther,Ann Ng\n")
    s, out = roster(tmp_path, body)
    assert read(out, "supervision") == [{"staff_id": "2", "supervisor_id": "1", "start_date": "2019-01-01",
                                         "end_date": "2020-03-31"}]
    assert s["managers"]["clipped"][0]["staff_id"] == "2"


def test_manager_ids_and_external_ids(tmp_path):
    src = tmp_path / "e.csv"
    src.write_text("id,name,h,mid,mname\n1,Ann Ng,2020-01-01,,\n2,Bo Li,2020-01-01,1,\n"
                   "3,Cy Ma,2020-01-01,99,Zed Ho\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "name": "name", "hire_date": "h",
                                                         "manager_id": "mid", "manager_name": "mname"}})
    s = import_file(src, m, tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert staff["99"]["name"] == "Zed Ho" and staff["99"]["external"] == "true"
    assert {(r["staff_id"], r["supervisor_id"]) for r in read(tmp_path / "b", "supervision")} == {("2", "1"),
                                                                                                 ("3", "99")}
    assert s["written"]["external_staff"] == 1


# ---------------------------------------------------------------- seats

SEAT_BODY = ("1,A,2020-01-01,2020-06-30,q,OP,Therapist,\n"
             "2,B,2020-03-01,,,OP,Therapist,\n"
             "3,C,2020-07-01,,,OP,Therapist,\n"
             "4,D,2020-07-01,,,OP,Therapist,\n"
             "5,E,2020-06-30,,,OP,Therapist,\n")


def test_seat_sequence_rule_refills_the_lowest_vacant_seat(tmp_path):
    s, out = roster(tmp_path, SEAT_BODY)
    seat = {r["staff_id"]: r["position_id"] for r in read(out, "assignments")}
    # A holds seat 1 to 06-30; E starts 06-30 (seat 1 still held) -> seat 3; C on 07-01 refills seat 1
    assert seat == {"1": "op:therapist:1", "2": "op:therapist:2", "5": "op:therapist:3",
                    "3": "op:therapist:1", "4": "op:therapist:4"}
    assert len(read(out, "positions")) == 4
    assert s["validation"]["status"] == "ok"


def test_seat_shared_and_per_person_rules(tmp_path):
    s, out = roster(tmp_path, SEAT_BODY, seats={"rule": "shared"})
    assert read(out, "positions") == [{"position_id": "op:therapist", "title": "Therapist", "program_id": "op",
                                       "role_kind": "other", "capacity": "4"}]
    assert s["validation"]["status"] == "ok"
    s, out = roster(tmp_path, SEAT_BODY, seats={"rule": "per_person"})
    assert sorted(r["position_id"] for r in read(out, "assignments"))[0] == "op:therapist:1"
    assert len(read(out, "positions")) == 5


def test_seats_from_position_id_column(tmp_path):
    s, out = roster(tmp_path, "1,A,2020-01-01,2020-06-30,q,OP,T,,P1\n2,B,2020-07-01,,,OP,T,,P1\n"
                              "3,C,2020-03-01,,,OP,T,,P2\n4,D,2020-04-01,,,OP,T,,P2\n",
                    head="id,name,hired,left,why,dept,title,boss,pos\n", columns={"position_id": "pos"})
    pos = by(read(out, "positions"), "position_id")
    assert (pos["P1"]["capacity"], pos["P2"]["capacity"]) == ("1", "2")
    assert any("position 'P2' has up to 2 holders at once" in w for w in s["warnings"])
    assert s["validation"]["status"] == "ok"


# ---------------------------------------------------------------- job histories

JH_HEAD = "emp,name,action,date,dept,title,mgr,reason\n"
JH_COLS = {"staff_id": "emp", "name": "name", "event_type": "action", "effective_date": "date",
           "department": "dept", "title": "title", "manager_id": "mgr", "termination_reason": "reason"}


def history(tmp_path, body, *, head=JH_HEAD, **mapping):
    src = tmp_path / "jh.csv"
    src.write_text(head + body, encoding="utf-8")
    m = {"kind": "job_history", "date_format": "%Y-%m-%d", "columns": dict(JH_COLS),
         "maps": {"termination_type": {"Resigned": "voluntary"}}}
    m.update(mapping)
    out = tmp_path / "bundle"
    return import_file(src, Mapping.from_dict(m), out), out


def test_job_history_events_become_intervals(tmp_path):
    body = ("1,Ann Ng,Hire,2019-01-01,OP,Supervisor,,\n"
            "2,Bo Li,Hire,2019-02-01,OP,Therapist,1,\n"
            "2,Bo Li,Transfer,2019-06-01,IOP,,,\n"             # blanks carry over: still Therapist, mgr 1
            "3,Cy Ma,Hire,2019-06-01,IOP,Supervisor,1,\n"
            "2,Bo Li,Manager Change,2019-09-15,,,3,\n"
            "2,Bo Li,Promotion,2020-01-01,IOP,Senior Therapist,3,\n"
            "2,Bo Li,Termination,2020-06-30,,,,Resigned\n")
    s, out = history(tmp_path, body)
    a = [(r["position_id"], r["start_date"], r["end_date"]) for r in read(out, "assignments") if r["staff_id"] == "2"]
    assert a == [("op:therapist:1", "2019-02-01", "2019-05-31"), ("iop:therapist:1", "2019-06-01", "2019-12-31"),
                 ("iop:senior-therapist:1", "2020-01-01", "2020-06-30")]
    sup = [(r["supervisor_id"], r["start_date"], r["end_date"]) for r in read(out, "supervision")
           if r["staff_id"] == "2"]
    assert sup == [("1", "2019-02-01", "2019-09-14"), ("3", "2019-09-15", "2020-06-30")]
    staff = by(read(out, "staff"))["2"]
    assert (staff["termination_date"], staff["termination_type"], staff["termination_reason"]) == (
        "2020-06-30", "voluntary", "Resigned")
    assert s["rows_imported"] == 7 and accounted(s) and s["validation"]["status"] == "ok"


def test_job_history_custom_events_and_termination_day_after(tmp_path):
    body = "1,Ann Ng,NEW,2019-01-01,OP,T,,\n1,Ann Ng,SEP,2020-01-01,,,,Resigned\n"
    s, out = history(tmp_path, body, maps={"event": {"NEW": "hire", "SEP": "termination"}},
                     events={"termination_date": "day_after"})
    assert by(read(out, "staff"))["1"]["termination_date"] == "2019-12-31"


def test_job_history_rejection_rules(tmp_path):
    body = ("1,A,Hire,2019-01-01,OP,T,,\n"
            "1,A,Data Change,2019-03-01,OP,T,,\n"       # line 3 merged no-change
            "1,A,Hire,2019-01-01,OP,T,,\n"              # line 4 merged duplicate-event
            "1,A,Hire,2019-05-01,OP,T,,\n"              # line 5 hire-while-employed
            "1,A,Termination,2019-06-30,,,,Resigned\n"
            "1,A,Transfer,2019-08-01,IOP,T,,\n"         # line 7 event-after-termination
            "1,A,Termination,2019-09-01,,,,\n"          # line 8 termination-without-hire
            "2,B,Termination,2019-09-01,,,,\n"          # line 9 termination-without-hire
            "3,C,Sabbatical,2019-09-01,OP,T,,\n"        # line 10 unknown-event-type
            "3,C,,2019-09-01,OP,T,,\n"                  # line 11 missing-event-type
            "3,C,Hire,,OP,T,,\n"                        # line 12 missing-effective-date
            "3,C,Hire,2019-02-30,OP,T,,\n"              # line 13 bad-date
            ",C,Hire,2019-02-03,OP,T,,\n"               # line 14 missing-staff-id
            "4,D,Hire,2019-02-03,OP,T,,\n"
            "4,D,Termination,2019-02-02,,,,\n")         # line 16: after sorting, before the hire -> no hire yet
    s, out = history(tmp_path, body)
    rules = {int(r["source_line"]): r["rule"] for r in read(out, "rejected")}
    assert rules == {5: "hire-while-employed", 7: "event-after-termination", 8: "termination-without-hire",
                     9: "termination-without-hire", 10: "unknown-event-type", 11: "missing-event-type",
                     12: "missing-effective-date", 13: "bad-date", 14: "missing-staff-id",
                     16: "termination-without-hire"}
    assert s["merged_by_rule"] == {"no-change": 1, "duplicate-event": 1}
    assert accounted(s) and s["rows"] == 15
    assert s["validation"]["status"] == "ok"


def test_job_history_termination_before_last_event_is_rejected(tmp_path):
    body = "1,A,Hire,2019-01-01,OP,T,,\n1,A,Transfer,2019-05-01,IOP,T,,\n1,A,Termination,2019-05-01,,,,\n"
    s, out = history(tmp_path, body, events={"termination_date": "day_after"})
    assert [r["rule"] for r in read(out, "rejected")] == ["termination-before-last-event"]


def test_job_history_rehire_is_a_new_staff_record(tmp_path):
    body = ("1,A,Hire,2019-01-01,OP,T,,\n1,A,Termination,2019-06-30,,,,Resigned\n"
            "1,A,Rehire,2020-01-06,OP,T,,\n2,B,Hire,2020-02-01,OP,T,1,\n")
    s, out = history(tmp_path, body)
    staff = by(read(out, "staff"))
    assert staff["1-2"]["hire_date"] == "2020-01-06" and staff["1"]["termination_date"] == "2019-06-30"
    # a manager id resolves to the spell employed on that date
    assert read(out, "supervision") == [{"staff_id": "2", "supervisor_id": "1-2", "start_date": "2020-02-01",
                                         "end_date": ""}]
    assert s["validation"]["status"] == "ok"


def test_job_history_without_event_column(tmp_path):
    src = tmp_path / "jh.csv"
    src.write_text("emp,date,title,term\n1,2019-01-01,T,\n1,2019-07-01,Lead,2020-03-31\n", encoding="utf-8")
    m = Mapping.from_dict({"kind": "job_history", "date_format": "%Y-%m-%d",
                           "columns": {"staff_id": "emp", "effective_date": "date", "title": "title",
                                       "termination_date": "term"}})
    s = import_file(src, m, tmp_path / "b")
    a = [(r["start_date"], r["end_date"]) for r in read(tmp_path / "b", "assignments")]
    assert a == [("2019-01-01", "2019-06-30"), ("2019-07-01", "2020-03-31")]
    assert by(read(tmp_path / "b", "staff"))["1"]["termination_type"] == "other"


def test_job_history_first_event_not_a_hire_is_warned(tmp_path):
    s, out = history(tmp_path, "1,A,Transfer,2019-01-01,OP,T,,\n")
    assert s["warnings"] == ["line 2: the first event of staff 1 is 'Transfer' on 2019-01-01; "
                             "taken as the start of employment"]
    assert s["rows_imported"] == 1


# ---------------------------------------------------------------- sources

def test_excel_without_openpyxl_gives_a_clear_error(tmp_path):
    p = tmp_path / "export.xlsx"
    try:
        import openpyxl
    except ImportError:
        p.write_bytes(b"PK\x03\x04")
        with pytest.raises(SourceError, match=r"reading Excel files needs the openpyxl package.*"
                                              r"pip install openpyxl"):
            import_file(p, MAPS / "roster.toml", tmp_path / "b")
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "hired"])
    ws.append([1, "Ann Ng", dt.datetime(2020, 1, 6)])
    wb.save(p)
    m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "name": "name", "hire_date": "hired"}})
    import_file(p, m, tmp_path / "b")
    assert by(read(tmp_path / "b", "staff"))["1"]["hire_date"] == "2020-01-06"


def test_missing_and_empty_files(tmp_path):
    m = MAPS / "roster.toml"
    with pytest.raises(SourceError, match="no such file"):
        import_file(tmp_path / "nope.csv", m, tmp_path / "b")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="the file is empty"):
        import_file(tmp_path / "empty.csv", m, tmp_path / "b")


# ---------------------------------------------------------------- shipped samples and real exports

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


@pytest.mark.skipif(not HR14.exists(), reason="public dataset not present")
def test_inferred_mapping_for_hrdataset_imports(tmp_path):
    text = infer_mapping(HR14)
    assert "# position_id: not mapped: 'PositionID' is a job code, not a seat" in text
    assert "# manager_id: not mapped: 'ManagerID': only 0 of 303 values are staff ids" in text
    assert 'date_format = "%m/%d/%Y"' in text
    assert '"Voluntarily Terminated" = "voluntary"   # guessed' in text
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    s = import_file(HR14, p, tmp_path / "b")
    assert s["rows_imported"] == 311 and s["validation"]["status"] == "ok"


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


# ---------------------------------------------------------------- CLI

def test_cli_import_and_infer(tmp_path):
    from orgraph.cli import main

    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "19 source rows: 17 imported, 1 merged, 1 rejected" in r.output
    assert "validation: ok (0 errors, 0 warnings)" in r.output
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b"), "--format", "json"])
    assert json.loads(r.output)["rows_rejected"] == 1
    r = CliRunner().invoke(main, ["import", "--infer-mapping", str(MAPS / "roster_sample.csv"),
                                  "--out", str(tmp_path / "m.toml")])
    assert r.exit_code == 0 and (tmp_path / "m.toml").read_text().startswith("# Draft mapping")
    r = CliRunner().invoke(main, ["import", "--infer-mapping", str(MAPS / "roster_sample.csv"),
                                  "--out", str(tmp_path / "m.toml")])
    assert r.exit_code == 2 and "exists" in r.output
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--out", str(tmp_path / "b")])
    assert r.exit_code == 2 and "--mapping MAPPING.toml is required" in r.output


def test_cli_errors_are_one_line(tmp_path):
    from orgraph.cli import main

    bad = tmp_path / "m.toml"
    bad.write_text('kind = "roster"\n[columns]\nstaff_id = "Employee ID"\nhire_date = "Hired On"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "-m", str(bad), "-o",
                                  str(tmp_path / "b")])
    assert r.exit_code == 1
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and "[columns] hire_date = 'Hired On', but roster_sample.csv has no such column; " \
                               "closest match: 'Hire Date'" in lines[0]


def test_excel_cells_are_read_as_text_and_dates(tmp_path, monkeypatch):
    """Excel rows (through pandas): ids stay ids, date cells are dates, blank rows are skipped."""
    import sys
    import types

    import pandas as pd

    if "openpyxl" not in sys.modules:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            monkeypatch.setitem(sys.modules, "openpyxl", types.ModuleType("openpyxl"))
    sheet = pd.DataFrame([["id", "name", "hired", "zip"],
                          [10026.0, "Ng, Ann", pd.Timestamp("2020-01-06"), "01960"],
                          [None, None, None, None],
                          [10027, "Bo Li", "3/15/2021", float("nan")]], dtype=object)
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: sheet)
    p = tmp_path / "export.xlsx"
    p.write_bytes(b"PK")
    from orgraph.importing.source import read_source

    t = read_source(p)
    assert t.header == ["id", "name", "hired", "zip"]
    assert t.rows == [["10026", "Ng, Ann", dt.date(2020, 1, 6), "01960"], ["10027", "Bo Li", "3/15/2021", ""]]
    assert t.lines == [2, 4]
    m = Mapping.from_dict({"kind": "roster", "date_format": "%m/%d/%Y",
                           "columns": {"staff_id": "id", "name": "name", "hire_date": "hired"}})
    import_file(p, m, tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert (staff["10026"]["hire_date"], staff["10027"]["hire_date"]) == ("2020-01-06", "2021-03-15")


def test_date_format_list_and_auto_mixed_year_widths(tmp_path):
    s, out = roster(tmp_path, "1,A,7/5/2011,,,OP,T,\n2,B,07/10/15,,,OP,T,\n",
                    date_format=["%m/%d/%Y", "%m/%d/%y"])
    staff = by(read(out, "staff"))
    assert (staff["1"]["hire_date"], staff["2"]["hire_date"]) == ("2011-07-05", "2015-07-10")
    s, out = roster(tmp_path, "1,A,7/25/2011,,,OP,T,\n2,B,07/10/15,,,OP,T,\n", date_format="auto")
    assert s["date_format"]["format"] == "%m/%d/%Y or %m/%d/%y" and s["rows_imported"] == 2
    with pytest.raises(ConfigError, match='"auto" cannot be part of a list'):
        roster(tmp_path, "1,A,7/25/2011,,,OP,T,\n", date_format=["auto", "%m/%d/%Y"])


V13 = DATASETS / "HRDataset_v13.csv"


@pytest.mark.skipif(not V13.exists(), reason="public dataset not present")
def test_hrdataset_v13_with_an_inferred_mapping(tmp_path):
    """v13 mixes M/D/YYYY and MM/DD/YY: same order, so both are accepted and no row is lost."""
    p = tmp_path / "m.toml"
    p.write_text(infer_mapping(V13), encoding="utf-8")
    s = import_file(V13, p, tmp_path / "b")
    assert (s["rows"], s["rows_imported"], s["rows_rejected"]) == (310, 310, 0)
    assert s["validation"]["status"] == "ok"


def test_read_settings_name_order_discipline_and_service_line_by_name(tmp_path):
    src = tmp_path / "e.csv"
    src.write_bytes("id;name;h;dept;title;boss\n1;Ng Ann;2020-01-01;Clínica Norte;Terapeuta;\n"
                    "2;Li Bo;2020-01-01;Clínica Norte;Terapeuta;Ng Ann\n".encode("cp1252"))
    m = Mapping.from_dict({
        "kind": "roster", "date_format": "%Y-%m-%d", "read": {"delimiter": ";", "encoding": "cp1252"},
        "managers": {"name_order": "last_first"},
        "columns": {"staff_id": "id", "name": "name", "hire_date": "h", "department": "dept", "title": "title",
                    "manager_name": "boss"},
        "maps": {"discipline": {"Terapeuta": "LPC"}, "service_line": {"clínica norte": "outpatient"}}})
    s = import_file(src, m, tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert staff["2"]["discipline"] == "LPC" and staff["1"]["name"] == "Ng Ann"
    assert read(tmp_path / "b", "programs")[0]["service_line"] == "outpatient"
    assert [(r["staff_id"], r["supervisor_id"]) for r in read(tmp_path / "b", "supervision")] == [("2", "1")]
    assert s["managers"]["n_loose"] == 0      # "Ng Ann" read last-first matches exactly
    with pytest.raises(SourceError, match=r"line 2: byte 0xed is not valid utf-8-sig"):
        import_file(src, Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "hire_date": "h"}}),
                    tmp_path / "b2")


def test_optional_files_left_in_the_out_folder_are_warned_about(tmp_path):
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "caseload.csv").write_text("staff_id,month,active_clients\n", encoding="utf-8")
    s, out = roster(tmp_path, "1,A,2020-01-01,,,OP,T,\n")
    assert any("already holds caseload.csv" in w for w in s["warnings"])


@pytest.mark.parametrize("data, mapping", [("roster_sample.csv", "roster.toml"),
                                           ("job_history_sample.csv", "job_history.toml")])
def test_audit_runs_on_imported_samples(tmp_path, data, mapping):
    import orgraph
    from orgraph.audit import run_audit

    import_file(MAPS / data, MAPS / mapping, tmp_path / "b")
    audit = run_audit(orgraph.load(tmp_path / "b"))
    assert isinstance(audit["findings"], list) and audit["org"]


def test_inferred_mapping_for_a_job_history(tmp_path):
    text = infer_mapping(MAPS / "job_history_sample.csv")
    assert 'kind = "job_history"' in text
    assert "date_format = \"%d/%m/%Y\"          # detected; decided by '15/02/2021'" in text
    assert 'event_type = "Action"' in text and 'manager_id = "Reports To"' in text
    assert '# "Leave of Absence" = "change"   # REVIEW: unknown' in text
    assert '"Dismissal" = "involuntary"   # guessed' in text
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    s = import_file(MAPS / "job_history_sample.csv", p, tmp_path / "b")
    assert s["rejected_by_rule"] == {"unknown-event-type": 1, "bad-date": 1}
    assert s["validation"]["status"] == "ok"
