"""Tests for `orgraph import`: job spells (one row per job spell), alone and combined with a roster."""
from __future__ import annotations

import csv

import pytest

from orgraph.importing import Mapping, import_file
from orgraph.importing.writer import ROSTER_REJECTED_FILE

from importing_helpers import DATASETS, MAPS, accounted, by, read

SP_HEAD = "emp,name,from,to,dept,title,mgr,why\n"
SP_COLS = {"staff_id": "emp", "name": "name", "start_date": "from", "end_date": "to", "department": "dept",
           "title": "title", "manager_id": "mgr", "termination_reason": "why"}


def spells(tmp_path, body, *, roster=None, **mapping):
    src = tmp_path / "spells.csv"
    src.write_text(SP_HEAD + body, encoding="utf-8")
    m = {"kind": "job_spells", "date_format": "%Y-%m-%d", "columns": dict(SP_COLS),
         "maps": {"termination_type": {"Resigned": "voluntary"}}}
    m.update(mapping)
    out = tmp_path / "bundle"
    return import_file(src, Mapping.from_dict(m), out, roster=roster), out


def test_contiguous_spells_are_transfers_and_the_open_spell_is_current(tmp_path):
    body = ("1,Ann Ng,2019-01-01,,OP,Supervisor,,\n"
            "2,Bo Li,2019-02-01,2019-05-31,OP,Therapist,1,\n"
            "2,Bo Li,2019-06-01,2019-12-31,IOP,Therapist,1,\n"       # contiguous: a transfer
            "2,Bo Li,2020-01-01,,IOP,Senior Therapist,1,\n")
    s, out = spells(tmp_path, body)
    assert accounted(s) and s["rows_imported"] == 4 and s["validation"]["status"] == "ok"
    a = [(r["position_id"], r["start_date"], r["end_date"]) for r in read(out, "assignments") if r["staff_id"] == "2"]
    assert a == [("op:therapist:1", "2019-02-01", "2019-05-31"), ("iop:therapist:1", "2019-06-01", "2019-12-31"),
                 ("iop:senior-therapist:1", "2020-01-01", "")]
    # one employment, one reporting line over the three spells
    assert [(r["supervisor_id"], r["start_date"], r["end_date"]) for r in read(out, "supervision")] == [
        ("1", "2019-02-01", "")]
    staff = by(read(out, "staff"))
    assert set(staff) == {"1", "2"} and staff["2"]["hire_date"] == "2019-02-01" and staff["2"]["termination_date"] == ""


def test_gap_is_an_exit_and_a_rehire_reported_with_file_and_line(tmp_path):
    body = ("1,Ann Ng,2019-01-01,,OP,Supervisor,,\n"
            "2,Bo Li,2019-02-01,2019-05-31,OP,Therapist,1,\n"
            "2,Bo Li,2019-09-01,2020-03-31,OP,Therapist,1,Resigned\n")   # gap June-August; the last spell closes
    s, out = spells(tmp_path, body)
    staff = by(read(out, "staff"))
    assert (staff["2"]["termination_date"], staff["2"]["termination_type"], staff["2"]["termination_reason"]) == (
        "2019-05-31", "other", "gap in the job spells")
    assert (staff["2-2"]["hire_date"], staff["2-2"]["termination_date"], staff["2-2"]["termination_type"]) == (
        "2019-09-01", "2020-03-31", "voluntary")
    assert ("spells.csv:3: staff 2 has no job spell from 2019-06-01 to 2019-08-31 (next: spells.csv:4); taken as "
            "an exit and a rehire, staff record 2-2") in s["warnings"]
    assert {r["staff_id"] for r in read(out, "supervision")} == {"2", "2-2"}
    assert s["validation"]["status"] == "ok"


def test_overlaps_are_cut_and_reported_same_day_starts_and_bad_rows_rejected(tmp_path):
    body = ("1,Ann Ng,2019-01-01,,OP,Supervisor,,\n"
            "2,Bo Li,2019-02-01,2019-08-31,OP,Therapist,1,\n"
            "2,Bo Li,2019-06-01,,IOP,Therapist,1,\n"                 # overlaps line 3 by three months
            "2,Bo Li,2019-06-01,,OP,Therapist,1,\n"                  # same start as line 4
            "2,Bo Li,2019-06-01,,IOP,Therapist,1,\n"                 # identical to line 4
            "3,Cy Ma,2019-05-01,2019-04-01,OP,Therapist,1,\n"
            "4,Di Wu,,2019-04-01,OP,Therapist,1,\n"
            ",No One,2019-01-01,,OP,Therapist,1,\n"
            "5,Ed Yu,2019-13-01,,OP,Therapist,1,\n")
    s, out = spells(tmp_path, body)
    assert accounted(s)
    assert s["rejected_by_rule"] == {"overlapping-spell": 1, "end-before-start": 1, "missing-start-date": 1,
                                     "missing-staff-id": 1, "bad-date": 1}
    assert s["merged_by_rule"] == {"duplicate-row": 1}
    assert ("spells.csv:3: staff 2's spell (2019-02-01 to 2019-08-31) overlaps the spell on line 4 (from "
            "2019-06-01); it is taken to end on 2019-05-31") in s["warnings"]
    with open(out / "rejected.csv", encoding="utf-8", newline="") as fh:
        rej = {r["source_line"]: (r["rule"], r["reason"]) for r in csv.DictReader(fh)}
    assert rej["5"] == ("overlapping-spell", "staff 2: starts on 2019-06-01, the same day as the spell on line 4; "
                                             "one person holds one spell at a time")
    assert rej["7"] == ("end-before-start", "the spell ends on 2019-04-01, before it starts on 2019-05-01")
    a = [(r["position_id"], r["start_date"], r["end_date"]) for r in read(out, "assignments") if r["staff_id"] == "2"]
    assert a == [("op:therapist:1", "2019-02-01", "2019-05-31"), ("iop:therapist:1", "2019-06-01", "")]


def test_mapping_requires_a_start_date_column():
    with pytest.raises(Exception, match="job spells need \\[columns\\] start_date"):
        Mapping.from_dict({"kind": "job_spells", "columns": {"staff_id": "id"}})


ORACLE = DATASETS / "oracle_hr"


@pytest.mark.skipif(not (ORACLE / "job_history.csv").exists(), reason="shared Oracle HR files not available")
def test_oracle_job_history_with_employees_imports_every_row_and_validates(tmp_path):
    out = tmp_path / "oracle"
    s = import_file(ORACLE / "job_history.csv", MAPS / "oracle_job_spells.toml", out,
                    roster=(ORACLE / "employees.csv", MAPS / "oracle_hr.toml"))
    assert (s["rows"], s["rows_imported"]) == (10, 10) and accounted(s)
    r = s["roster"]
    assert (r["rows"], r["rows_imported"], r["rows_merged"], r["rows_rejected"]) == (107, 107, 0, 0)
    assert s["validation"]["status"] == "ok", s["validation"]["issues"]
    assert (out / ROSTER_REJECTED_FILE).exists()
    staff = by(read(out, "staff"))
    # 107 employees + the rehires of 101 and 200 after the gaps in their spells
    assert len(staff) == 109 and {"101-2", "200-2"} <= set(staff)
    assert (staff["200"]["hire_date"], staff["200"]["termination_date"]) == ("2005-09-17", "2011-06-17")
    assert (staff["101-2"]["hire_date"], staff["101"]["termination_date"]) == ("2015-09-21", "2015-03-15")
    asg = [(a["position_id"].split(":")[1], a["start_date"], a["end_date"]) for a in read(out, "assignments")
           if a["staff_id"] == "176"]
    # two past spells, then the current job from employees.csv the day after the last spell ended
    assert asg == [("sales-representative", "2016-03-24", "2016-12-31"), ("sales-manager", "2017-01-01", "2017-12-31"),
                   ("sales-representative", "2018-01-01", "")]
    sup = [(x["supervisor_id"], x["start_date"]) for x in read(out, "supervision") if x["staff_id"] == "200-2"]
    assert sup == [("101-2", "2017-01-01")]        # manager 101 resolves to the employment on that day
    w = " | ".join(s["warnings"])
    assert "employees.csv:16: staff 114 was hired on 2012-12-07 but the first job spell (job_history.csv:6)" in w
    assert "employees.csv:102: staff 200's hire date 2013-09-17 falls inside the job spells" in w


@pytest.mark.skipif(not (ORACLE / "job_history.csv").exists(), reason="shared Oracle HR files not available")
def test_cli_combines_employees_and_job_history_in_either_order(tmp_path):
    from click.testing import CliRunner

    from orgraph.cli import main

    r = CliRunner().invoke(main, ["import", str(ORACLE / "employees.csv"), str(ORACLE / "job_history.csv"),
                                  "--mapping", str(MAPS / "oracle_hr.toml"), "--mapping",
                                  str(MAPS / "oracle_job_spells.toml"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "10 source rows: 10 imported, 0 merged, 0 rejected" in r.output
    assert "roster " in r.output and "107 source rows: 107 imported, 0 merged, 0 rejected" in r.output
    assert "validation: ok (0 errors, 0 warnings)" in r.output
    assert len(read(tmp_path / "o", "staff")) == 109


def test_termination_columns_on_the_last_spell(tmp_path):
    body = ("1,Ann Ng,2019-01-01,,OP,Supervisor,,,\n"
            "2,Bo Li,2019-02-01,2019-05-31,OP,Therapist,1,,\n"
            "2,Bo Li,2019-06-01,,IOP,Therapist,1,Resigned,2020-03-31\n"       # open spell, but a termination date
            "3,Cy Ma,2019-02-01,2019-12-31,OP,Therapist,1,Resigned,2019-11-30\n")
    src = tmp_path / "spells.csv"
    src.write_text(SP_HEAD.replace("why", "why,left") + body, encoding="utf-8")
    m = {"kind": "job_spells", "date_format": "%Y-%m-%d", "columns": {**SP_COLS, "termination_date": "left"},
         "maps": {"termination_type": {"Resigned": "voluntary"}}}
    s = import_file(src, Mapping.from_dict(m), tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert [(staff[k]["termination_date"], staff[k]["termination_type"], staff[k]["termination_reason"])
            for k in ("2", "3")] == [("2020-03-31", "voluntary", "Resigned"), ("2019-11-30", "voluntary", "Resigned")]
    assert ("spells.csv:5: staff 3's spell ends on 2019-12-31 but its termination date is 2019-11-30; the "
            "termination date is used") in s["warnings"]
    assert s["validation"]["status"] == "ok"
