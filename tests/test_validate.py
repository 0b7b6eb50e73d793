"""Every validation rule, each with a small bad bundle and the exact issue it must produce."""
from __future__ import annotations

import pytest

from bundles import BASE, add_rows, replace_rows
from orgraph import BundleError, load
from orgraph.validate import validate_bundle


def issues_of(folder, strict=False):
    _, issues = validate_bundle(folder, strict=strict)
    return [str(i) for i in issues]


def test_base_bundle_is_clean(bundle):
    data, issues = validate_bundle(bundle())
    assert issues == []
    assert sorted(data.staff) == ["S1", "S2", "S3", "S4"]
    assert len(data.assignments) == 4 and len(data.supervision) == 3


def test_bom_and_crlf_are_tolerated(bundle):
    folder = bundle()
    text = BASE["programs.csv"].replace("\n", "\r\n")
    (folder / "programs.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    data, issues = validate_bundle(folder)
    assert issues == [] and data.programs["OP"].name == "Outpatient"


def test_missing_required_file(bundle):
    assert issues_of(bundle(supervision_csv=None)) == [
        "supervision.csv error: required file is missing; CSV files found: assignments.csv, positions.csv, "
        "programs.csv, staff.csv"]


def test_missing_file_suggests_a_near_name(bundle):
    folder = bundle(supervision_csv=None)
    (folder / "supervisions.csv").write_text(BASE["supervision.csv"])
    assert issues_of(folder)[0] == ("supervision.csv error: required file is missing; "
                                    "found 'supervisions.csv' — rename it?")


def test_missing_column_shows_found_and_closest(bundle):
    text = BASE["staff.csv"].replace("hire_date", "hiredate")
    assert issues_of(bundle(staff_csv=text))[0] == (
        "staff.csv:1 [hire_date] error: required column 'hire_date' is missing (columns found: staff_id, name, "
        "discipline, hiredate, termination_date, termination_type, termination_reason, fte; closest match: "
        "'hiredate')")


def test_unknown_column_is_a_warning_with_closest_known(bundle):
    text = BASE["staff.csv"].replace(",fte", ",ftee")
    issues = issues_of(bundle(staff_csv=text))
    assert issues == ["staff.csv:1 [ftee] warning: column 'ftee' is not used by orgraph and is ignored; "
                      "closest match: 'fte'"]


def test_duplicate_ids(bundle):
    folder = bundle(programs_csv=add_rows("programs.csv", "OP,Outpatient 2,outpatient"))
    assert issues_of(folder) == [
        "programs.csv:3 [program_id] error: duplicate program_id (program_id=OP); first given on line 2"]


def test_unparseable_date(bundle):
    text = BASE["staff.csv"].replace("2020-03-01", "03/01/2020", 1)
    issues = issues_of(bundle(staff_csv=text))
    assert issues[0] == ("staff.csv:4 [hire_date] error: '03/01/2020' is not a date; expected YYYY-MM-DD, "
                         "for example 2023-04-30")


def test_dates_outside_the_plausible_range_are_errors(bundle):
    """1600 or 2199 would crash date arithmetic or move the data's end silently: reported, never loaded."""
    text = BASE["staff.csv"].replace("2020-03-01", "1600-02-01").replace("2020-01-15", "2199-12-31")
    issues = issues_of(bundle(staff_csv=text))
    assert "staff.csv:4 [hire_date] error: '1600-02-01' is outside the plausible range 1900-2100" in issues
    assert "staff.csv:5 [hire_date] error: '2199-12-31' is outside the plausible range 1900-2100" in issues


def test_the_hr_no_end_placeholder_is_an_open_end(bundle):
    """9999-12-31, the usual 'no end' value, is read as an open end date, with a warning."""
    assignments = BASE["assignments.csv"].replace("S1,P1,2020-01-01,", "S1,P1,2020-01-01,9999-12-31")
    folder = bundle(assignments_csv=assignments)
    issues = issues_of(folder)
    assert any(i.endswith("[end_date] warning: '9999-12-31' is read as no end date (a common 'open' value in HR "
                          "systems)") for i in issues), issues
    org = load(folder)
    assert org.data_end.year < 2100
    held = [a for a in org.data.assignments if a.staff_id == "S1" and a.position_id == "P1"]
    assert held and held[0].end is None


def test_impossible_date(bundle):
    text = BASE["staff.csv"].replace("2021-06-30", "2021-02-30")
    assert issues_of(bundle(staff_csv=text))[0] == (
        "staff.csv:3 [termination_date] error: '2021-02-30' is not a date; expected YYYY-MM-DD, for example 2023-04-30")


def test_unparseable_number(bundle):
    text = BASE["staff.csv"].replace(",0.8", ",most")
    assert issues_of(bundle(staff_csv=text)) == ["staff.csv:4 [fte] error: 'most' is not a number ≥ 0"]


def test_unparseable_month_and_count(bundle):
    folder = bundle(caseload_csv="staff_id,month,active_clients\nS2,2020-13,20\nS3,2020-05,twelve\nS3,2020-06,-1\n")
    assert issues_of(folder) == [
        "caseload.csv:2 [month] error: '2020-13' is not a month; expected YYYY-MM, for example 2023-04",
        "caseload.csv:3 [active_clients] error: 'twelve' is not a whole number ≥ 0",
        "caseload.csv:4 [active_clients] error: '-1' is not a whole number ≥ 0",
    ]


def test_unknown_ids_in_every_reference(bundle):
    folder = bundle(
        positions_csv=add_rows("positions.csv", "P9,Therapist,XX,clinician"),
        assignments_csv=add_rows("assignments.csv", "S9,P2,2021-07-01,", "S3,P8,2020-03-01,"),
        supervision_csv=add_rows("supervision.csv", "S3,S7,2020-04-01,2020-05-01"),
        documentation_csv="staff_id,month,session_hours,documentation_hours\nS5,2020-05,80,40\n",
        supervision_sessions_csv="supervisor_id,staff_id,date,minutes\nS6,S3,2020-05-04,60\n",
        client_assignments_csv="client_id,staff_id,start_date,end_date\nC1,S0,2020-05-01,\n",
    )
    got = issues_of(folder)
    assert "positions.csv:6 [program_id] error: program_id 'XX' is not in programs.csv" in got
    assert "assignments.csv:6 [staff_id] error: staff_id 'S9' is not in staff.csv" in got
    assert "assignments.csv:7 [position_id] error: position_id 'P8' is not in positions.csv" in got
    assert "supervision.csv:5 [supervisor_id] error: supervisor_id 'S7' is not in staff.csv" in got
    assert "documentation.csv:2 [staff_id] error: staff_id 'S5' is not in staff.csv" in got
    assert "supervision_sessions.csv:2 [supervisor_id] error: supervisor_id 'S6' is not in staff.csv" in got
    assert "client_assignments.csv:2 [staff_id] error: staff_id 'S0' is not in staff.csv" in got


def test_end_before_start(bundle):
    folder = bundle(assignments_csv=replace_rows("assignments.csv", "S1,P1,2020-01-01,",
                                                 "S2,P2,2020-02-01,2020-01-31", "S3,P3,2020-03-01,",
                                                 "S4,P4,2020-01-15,"))
    assert issues_of(folder) == [
        "assignments.csv:3 [end_date] error: end_date 2020-01-31 is before start_date 2020-02-01"]


def test_termination_before_hire(bundle):
    text = BASE["staff.csv"].replace("2021-06-30", "2019-06-30")
    got = issues_of(bundle(staff_csv=text))
    assert got[0] == "staff.csv:3 [termination_date] error: termination_date 2019-06-30 is before hire_date 2020-02-01"


def test_bad_termination_type_and_role_kind(bundle):
    folder = bundle(staff_csv=BASE["staff.csv"].replace("voluntary", "quit"),
                    positions_csv=BASE["positions.csv"].replace("director", "boss"))
    got = issues_of(folder)
    assert ("staff.csv:3 [termination_type] error: termination_type 'quit' is not one of voluntary, involuntary, "
            "retirement, other") in got
    assert ("positions.csv:5 [role_kind] error: role_kind 'boss' is not one of clinician, supervisor, director, "
            "admin, other") in got


def test_termination_date_without_type_is_a_warning_and_counted_as_other(bundle):
    folder = bundle(staff_csv=BASE["staff.csv"].replace("voluntary,moved away", ",moved away"))
    data, issues = validate_bundle(folder)
    assert [str(i) for i in issues] == [
        "staff.csv:3 [termination_type] warning: termination_date is given but termination_type is empty; "
        "counted as 'other'"]
    assert data.staff["S2"].termination_type == "other"


def test_outside_employment_is_a_warning(bundle):
    folder = bundle(assignments_csv=replace_rows("assignments.csv", "S1,P1,2020-01-01,", "S2,P2,2020-02-01,",
                                                 "S3,P3,2020-03-01,", "S4,P4,2019-12-01,"))
    got = issues_of(folder)
    assert got == [
        "assignments.csv:3 [start_date] warning: assignment runs outside staff_id 'S2''s employment "
        "(2020-02-01 to 2021-06-30)",
        "assignments.csv:5 [start_date] warning: assignment runs outside staff_id 'S4''s employment "
        "(from 2020-01-15)",
    ]
    with pytest.raises(BundleError):
        load(folder, strict=True)
    assert len(load(folder).data.issues) == 2


def test_over_capacity(bundle):
    folder = bundle(assignments_csv=add_rows("assignments.csv", "S4,P3,2021-01-01,2021-02-01"))
    assert issues_of(folder) == [
        "assignments.csv:6 [position_id] error: seat 'P3' would have 2 holders from 2021-01-01 but its capacity is 1"]


def test_capacity_two_allows_job_share_and_boundary_handover(bundle):
    pos = BASE["positions.csv"].replace("role_kind\n", "role_kind,capacity\n").replace("supervisor\n", "supervisor,1\n")
    pos = pos.replace("P2,Therapist,OP,clinician", "P2,Therapist,OP,clinician,2").replace(
        "P3,Therapist,OP,clinician", "P3,Therapist,OP,clinician,1").replace("director\n", "director,1\n")
    asg = add_rows("assignments.csv", "S4,P2,2021-01-01,2021-02-01", "S1,P3,2019-01-01,2020-02-29")
    folder = bundle(positions_csv=pos, assignments_csv=asg)
    got = issues_of(folder)
    # S1 held P3 until 2020-02-29 and S3 starts 2020-03-01: a clean handover, no overlap.
    assert not [g for g in got if "capacity" in g]


def test_self_supervision(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,"))
    assert issues_of(folder) == ["supervision.csv:5 [supervisor_id] error: 'S4' is listed as their own supervisor"]


def test_supervision_cycle_on_some_date(bundle):
    # S4 supervises S1 throughout; in March 2021 S1 is also recorded as supervising S4: a cycle on those dates.
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S1,2021-03-01,2021-03-31"))
    got = issues_of(folder)
    assert "supervision.csv:5 [supervisor_id] error: supervision cycle: S4 → S1 → S4 on 2021-03-01" in got


def test_no_cycle_when_intervals_do_not_meet(bundle):
    sup = replace_rows("supervision.csv", "S1,S4,2020-01-15,2020-12-31", "S4,S1,2021-01-01,")
    assert issues_of(bundle(supervision_csv=sup)) == []


def test_two_supervisors_at_once_is_a_warning(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S3,S4,2021-01-01,2021-01-31"))
    assert issues_of(folder) == [
        "supervision.csv:5 [supervisor_id] warning: 'S3' has 2 supervisors at once from 2021-01-01"]


def test_malformed_row_is_reported_and_the_rest_load(bundle):
    text = BASE["programs.csv"] + 'IOP,Intensive, outpatient,iop\nRES,Residential,residential\n'
    data, issues = validate_bundle(bundle(programs_csv=text))
    assert [str(i) for i in issues] == [
        "programs.csv:3 error: row has 4 field(s) but the header has 3; check for an unquoted comma"]
    assert sorted(data.programs) == ["OP", "RES"]


def test_not_utf8(bundle):
    folder = bundle()
    (folder / "programs.csv").write_bytes(b"program_id,name,service_line\nOP,Programa \xf1,outpatient\n")
    assert issues_of(folder) == [
        "programs.csv:2 error: byte 0xf1 is not UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel)"]


def test_empty_file_and_empty_required_value(bundle):
    folder = bundle(programs_csv="", staff_csv=BASE["staff.csv"].replace("2020-03-01,,", ",,"))
    got = issues_of(folder)
    assert "programs.csv:1 error: file is empty; a header row is required" in got
    assert "staff.csv:4 [hire_date] error: hire_date is empty; a value is required" in got


def test_duplicate_month_rows(bundle):
    folder = bundle(caseload_csv="staff_id,month,active_clients\nS3,2020-05,20\nS3,2020-05,22\n")
    assert issues_of(folder) == [
        "caseload.csv:3 [staff_id] error: duplicate staff_id and month (staff_id=S3, month=2020-05-01); "
        "first given on line 2"]


def test_every_row_is_loaded_or_reported(bundle):
    """Rows with errors are left out *and* named; all other rows load."""
    asg = add_rows("assignments.csv", "S9,P2,2021-07-01,", "S3,P3,2020-13-01,")
    data, issues = validate_bundle(bundle(assignments_csv=asg))
    reported = {(i.file, i.line) for i in issues if i.severity == "error"}
    assert reported == {("assignments.csv", 6), ("assignments.csv", 7)}
    assert len(data.assignments) == 4  # 6 rows: 4 loaded + 2 reported


def test_overflow_is_summarized_not_lost(bundle):
    rows = [f"S3,2019-{m:02d}-01x,1" for m in range(1, 13)] * 30  # 360 bad months
    folder = bundle(caseload_csv="staff_id,month,active_clients\n" + "\n".join(rows) + "\n")
    _, issues = validate_bundle(folder)
    assert len(issues) == 201
    assert issues[-1].message.startswith("160 more rows with the same problem (bad-month) on lines 202, 203")


def test_load_raises_bundle_error_with_all_issues(bundle):
    with pytest.raises(BundleError) as info:
        load(bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,")))
    assert len(info.value.errors) == 1
    assert "1 error, 0 warnings" in str(info.value)


def test_config_unknown_key_is_an_error(bundle):
    from orgraph.errors import ConfigError

    folder = bundle()
    (folder / "orgraph.toml").write_text("[churn]\nmin_holder = 4\n")
    with pytest.raises(ConfigError, match=r"unknown setting \[churn\] min_holder \(did you mean 'min_holders'\?\)"):
        load(folder)


def test_config_values_reach_the_graph(bundle):
    folder = bundle()
    (folder / "orgraph.toml").write_text('[data]\nend = "2021-12-31"\n[churn]\nmin_holders = 4\n')
    org = load(folder)
    assert org.data_end.isoformat() == "2021-12-31" and org.config.get("churn", "min_holders") == 4


def test_a_nul_byte_is_reported_not_a_cut_value(bundle):
    text = BASE["staff.csv"].replace("Bo Chen", "Bo\x00Chen")
    assert issues_of(bundle(staff_csv=text)) == [
        "staff.csv:3 error: contains NUL bytes (a damaged or binary file) on line(s) 3; a NUL would cut a value short"]


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_only_regular_files_are_read(bundle, kind):
    import os

    folder = bundle()
    path = folder / "staff.csv"
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)          # reading it would wait forever
    else:
        path.symlink_to("/dev/zero")     # reading it would never end
    assert issues_of(folder) == [
        "staff.csv error: is not a regular file (a folder, pipe or device); expected a CSV file"]


def test_an_exact_duplicate_supervision_row_is_kept_once(bundle):
    """A copied row used to mean two supervisors at once and doubled spans; now it is one link and a warning."""
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S2,S1,2020-02-01,2021-06-30"))
    issues = issues_of(folder)
    n = BASE["supervision.csv"].count("\n") + 1
    assert issues == [f"supervision.csv:{n} warning: exact duplicate of line 2; kept once"]
    org = load(folder)
    assert sum(1 for s in org.data.supervision if (s.staff_id, s.supervisor_id) == ("S2", "S1")) == 1


def test_one_person_in_two_seats_at_once_is_said(bundle):
    folder = bundle(positions_csv=add_rows("positions.csv", "P5,Therapist,OP,clinician"),
                    assignments_csv=add_rows("assignments.csv", "S3,P5,2021-01-01,"))
    n = BASE["assignments.csv"].count("\n") + 1
    assert issues_of(folder) == [f"assignments.csv:{n} [position_id] warning: 'S3' holds 2 seats at once from "
                                 "2021-01-01; their role kind and program are those of the seat taken most recently"]


def test_overlapping_supervision_rows_are_one_link(bundle):
    """Two rows for one link that share days used to read as two supervisors at once, the shared days twice."""
    folder = bundle(supervision_csv=replace_rows(
        "supervision.csv", "S2,S1,2020-02-01,2020-12-31", "S3,S1,2020-03-01,", "S1,S4,2020-01-15,",
        "S2,S1,2020-10-01,2021-06-30", "S2,S1,2021-03-01,2021-06-30"))
    assert issues_of(folder) == [
        "supervision.csv:5 warning: 'S2' under 'S1' 2020-10-01 to 2021-06-30 overlaps line 2 "
        "(2020-02-01 to 2020-12-31); merged into one link 2020-02-01 to 2021-06-30",
        # line 6 lies inside line 5, which stretched line 2's link: both rows are named
        "supervision.csv:6 warning: 'S2' under 'S1' 2021-03-01 to 2021-06-30 overlaps line 5 "
        "(2020-10-01 to 2021-06-30); merged with line 2 into one link 2020-02-01 to 2021-06-30"]
    org = load(folder)
    links = [(s.start.isoformat(), s.end.isoformat()) for s in org.data.supervision if s.staff_id == "S2"]
    assert links == [("2020-02-01", "2021-06-30")]


def test_overlapping_rows_for_one_seat_are_one_assignment(bundle):
    """A second, overlapping row for the same person and seat used to be an over-capacity error."""
    folder = bundle(assignments_csv=add_rows("assignments.csv", "S3,P3,2021-01-01,2021-12-31"))
    n = BASE["assignments.csv"].count("\n") + 1
    assert issues_of(folder) == [
        f"assignments.csv:{n} warning: 'S3' in seat 'P3' 2021-01-01 to 2021-12-31 overlaps line 4 "
        "(2020-03-01 onward); merged into one assignment 2020-03-01 onward"]
    org = load(folder)
    assert [(a.start.isoformat(), a.end) for a in org.data.assignments if a.staff_id == "S3"] == [("2020-03-01", None)]


def test_rows_for_one_link_that_only_touch_stay_apart(bundle):
    folder = bundle(supervision_csv=replace_rows(
        "supervision.csv", "S2,S1,2020-02-01,2020-12-31", "S2,S1,2021-01-01,2021-06-30", "S3,S1,2020-03-01,",
        "S1,S4,2020-01-15,"))
    assert issues_of(folder) == []
    assert len([s for s in load(folder).data.supervision if s.staff_id == "S2"]) == 2


def _chain_bundle(folder, n: int, extra_supervision: list[str]):
    """``n`` people hired on one day, person i supervised by person i-1, plus ``extra_supervision`` rows."""
    folder.mkdir()
    files = {
        "staff.csv": ["staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason"]
        + [f"S{i},P {i},LCSW,2020-01-01,,," for i in range(1, n + 1)],
        "programs.csv": ["program_id,name,service_line", "OP,Outpatient,outpatient"],
        "positions.csv": ["position_id,title,program_id,role_kind"] + [f"P{i},T,OP,clinician" for i in range(1, n + 1)],
        "assignments.csv": ["staff_id,position_id,start_date,end_date"]
        + [f"S{i},P{i},2020-01-01," for i in range(1, n + 1)],
        "supervision.csv": ["staff_id,supervisor_id,start_date,end_date"]
        + [f"S{i},S{i - 1},2020-01-01," for i in range(2, n + 1)] + extra_supervision,
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_cycles_at_the_bottom_of_a_deep_chain_are_found(tmp_path):
    """A chain 3,000 deep: a two-person cycle at its end, later one through the whole chain."""
    n = 3000
    folder = _chain_bundle(tmp_path / "chain", n, [f"S{n - 1},S{n},2021-03-01,2021-03-31", f"S1,S{n},2022-01-01,"])
    whole = " → ".join(["S1", *(f"S{i}" for i in range(n, 0, -1))])
    assert issues_of(folder) == [
        f"supervision.csv:{n + 1} [supervisor_id] error: supervision cycle: S{n - 1} → S{n} → S{n - 1} on 2021-03-01",
        f"supervision.csv:{n + 2} [supervisor_id] error: supervision cycle: {whole} on 2022-01-01",
        f"supervision.csv:{n + 1} [supervisor_id] warning: 'S{n - 1}' has 2 supervisors at once from 2021-03-01"]


def test_a_far_date_in_a_row_already_rejected_is_not_a_crash(bundle):
    """A row rejected for an empty seat also had start 9999-12-31: reading it used to overflow pandas' dates."""
    folder = bundle(assignments_csv=add_rows("assignments.csv", "S3,,9999-12-31,"))
    n = BASE["assignments.csv"].count("\n") + 1
    assert issues_of(folder) == [f"assignments.csv:{n} [position_id] error: position_id is empty; a value is required"]


def test_a_control_character_is_an_error_naming_the_cell(bundle):
    """A control character used to reach the audit's graph file and stop it with an XML error."""
    folder = bundle(programs_csv=add_rows("programs.csv", "IOP,Intensive\x12,outpatient"))
    assert issues_of(folder) == [
        "programs.csv:3 [name] error: name holds the control character U+0012, which is not text "
        "(a damaged export?); remove it"]


@pytest.mark.parametrize("value", ['"9999-12-31"', '"2020-02-30"', '"last year"', '"1850-01-01"'])
def test_config_data_end_must_be_a_plausible_day(bundle, value):
    """[data] end = "9999-12-31" used to stop the audit with an OverflowError; now it is a clear config error."""
    from orgraph.errors import ConfigError

    folder = bundle()
    (folder / "orgraph.toml").write_text(f"[data]\nend = {value}\n")
    with pytest.raises(ConfigError, match=r"\[data\] end = '.*' is not a day YYYY-MM-DD between 1900 and 2100"):
        load(folder)


def test_a_termination_type_beside_the_no_end_placeholder_is_ignored(bundle):
    """Bundles written by `orgraph import` before it read 9999-12-31 as no end say '9999-12-31,other': that row
    used to be an error (a type without a date); the person is still employed."""
    staff = BASE["staff.csv"].replace("S3,Cy Ortiz,LMFT,2020-03-01,,,", "S3,Cy Ortiz,LMFT,2020-03-01,9999-12-31,other,")
    folder = bundle(staff_csv=staff)
    assert issues_of(folder) == [
        "staff.csv:4 [termination_date] warning: '9999-12-31' is read as no end date (a common 'open' value in HR "
        "systems)",
        "staff.csv:4 [termination_type] warning: termination_type 'other' is ignored: the termination date is a "
        "'no end' placeholder, so the person is still employed"]
    s3 = load(folder).data.staff["S3"]
    assert (s3.termination_date, s3.termination_type) == (None, None)
