"""Tests for `orgraph import`: job histories: events become intervals, custom events, rejection rules, rehires."""
from __future__ import annotations

from orgraph.importing import Mapping, import_file

from importing_helpers import accounted, by, read


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


def test_job_history_far_future_terminations_are_no_termination(tmp_path):
    # Ann's export repeats the "no end" date on every row; Bo has a termination event dated 9999-12-31.
    head = "emp,name,action,date,dept,title,mgr,reason,left\n"
    body = ("1,Ann Ng,Hire,2019-01-01,OP,Supervisor,,,9999-12-31\n"
            "1,Ann Ng,Promotion,2020-01-01,OP,Director,,,9999-12-31\n"
            "2,Bo Li,Hire,2019-02-01,OP,Therapist,1,,\n"
            "2,Bo Li,Termination,9999-12-31,,,,Resigned,\n")
    s, out = history(tmp_path, body, head=head, columns={**JH_COLS, "termination_date": "left"})
    staff = by(read(out, "staff"))
    assert [(staff[i]["termination_date"], staff[i]["termination_type"]) for i in "12"] == [("", ""), ("", "")]
    assert [(r["staff_id"], r["end_date"]) for r in read(out, "assignments")] == [
        ("1", "2019-12-31"), ("1", ""), ("2", "")]
    assert s["merged_by_rule"] == {"open-end-date": 1} and accounted(s)
    assert any(n.startswith("3 termination date(s) in year 2900 or later") for n in s["notes"])
    assert s["validation"]["status"] == "ok"
