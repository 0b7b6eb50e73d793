"""Tests for `orgraph import`: rosters: value maps, defaults, name columns, rejection rules, numbers."""
from __future__ import annotations

from orgraph.importing import Mapping, import_file

from importing_helpers import accounted, by, read, roster


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


def test_far_future_termination_dates_are_no_termination(tmp_path):
    """HRIS exports write 12/31/9999 (or 2999) for "still employed"; it used to become a termination in 9999,
    which the bundle then could not load (a termination type with no date)."""
    body = ("1,Ann Ng,1/6/2020,12/31/9999,,OP,Director,\n"
            "2,Bo Li,3/1/2021,12/31/2999,n/a,OP,Therapist,Ann Ng\n"
            "3,Cy Ma,3/1/2021,5/31/2022,Moved,OP,Therapist,Ann Ng\n")
    s, out = roster(tmp_path, body, date_format="%m/%d/%Y")
    staff = by(read(out, "staff"))
    assert [(staff[i]["termination_date"], staff[i]["termination_type"]) for i in "123"] == [
        ("", ""), ("", ""), ("2022-05-31", "other")]
    assert [(r["staff_id"], r["end_date"]) for r in read(out, "assignments")] == [
        ("1", ""), ("2", ""), ("3", "2022-05-31")]
    assert [(r["staff_id"], r["end_date"]) for r in read(out, "supervision")] == [("2", ""), ("3", "2022-05-31")]
    assert ("2 termination date(s) in year 2900 or later (such as '12/31/9999'), the usual HR value for 'no end', "
            "were read as no termination: those people are still employed.") in s["notes"]
    assert s["validation"] == {"status": "ok", "errors": 0, "warnings": 0, "issues": []}
    assert s["rows_imported"] == 3 and accounted(s)
