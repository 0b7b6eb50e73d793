"""Tests for `orgraph import`: building bundle tables: managers resolved to supervision, seats allocated."""
from __future__ import annotations

from orgraph.importing import Mapping, import_file

from importing_helpers import by, read, roster


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
                                       "role_kind": "other", "capacity": "4", "inferred": "true"}]
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
