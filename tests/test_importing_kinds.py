"""`--infer-mapping` recognises the kind of export (roster, job history, job spells, services) and drafts a mapping
of that kind which loads and imports; roles are guessed only from the behavioral-health vocabulary."""
from __future__ import annotations

import shutil

import pytest

from conftest import ANON_KEY
from importing_helpers import DATASETS, HR14, MAPS, accounted, read
from orgraph.importing import Mapping, import_file, infer_mapping, load_mapping
from orgraph.importing.infer import guess_role, infer_kind
from orgraph.importing.services import import_services
from orgraph.importing.source import read_source
from orgraph.synth import generate
from services_export import write_export

ORACLE = DATASETS / "oracle_hr"
V13 = DATASETS / "HRDataset_v13.csv"


def _draft(tmp_path, export, name="m.toml"):
    text = infer_mapping(export)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return text, load_mapping(path)


@pytest.mark.skipif(not ORACLE.exists(), reason="public dataset not present")
def test_oracle_job_history_is_job_spells_and_imports_with_the_employees_table(tmp_path):
    text, spells = _draft(tmp_path, ORACLE / "job_history.csv", "spells.toml")
    assert spells.kind == "job_spells"
    assert "3 people have several rows" in text.splitlines()[4]
    assert spells.column("start_date") == "start_date" and spells.column("end_date") == "end_date"
    assert spells.column("hire_date") is None          # a spell's start is not a hire
    _, roster = _draft(tmp_path, ORACLE / "employees.csv", "roster.toml")
    assert roster.kind == "roster" and roster.column("hire_date") == "hire_date"
    s = import_file(ORACLE / "job_history.csv", spells, tmp_path / "b", roster=(ORACLE / "employees.csv", roster))
    assert (s["rows"], s["rows_imported"], s["roster"]["rows"], s["roster"]["rows_imported"]) == (10, 10, 107, 107)
    assert accounted(s) and s["validation"]["status"] == "ok"


def test_a_department_history_with_start_and_end_dates_is_job_spells(tmp_path):
    """AdventureWorks' EmployeeDepartmentHistory: BusinessEntityID, DepartmentID, ShiftID, StartDate, EndDate."""
    src = tmp_path / "EmployeeDepartmentHistory.csv"
    src.write_text("BusinessEntityID,DepartmentID,ShiftID,StartDate,EndDate,ModifiedDate\n"
                   "1,16,1,2009-01-14,,2009-01-13\n"
                   "4,1,1,2007-12-05,2010-05-30,2010-05-28\n"
                   "4,2,1,2010-05-31,,2010-05-30\n", encoding="utf-8")
    text, m = _draft(tmp_path, src)
    assert m.kind == "job_spells" and m.column("staff_id") == "BusinessEntityID"
    s = import_file(src, m, tmp_path / "b")
    assert s["rows_imported"] == 3 and accounted(s) and s["validation"]["status"] == "ok"
    assert {a["staff_id"] for a in read(tmp_path / "b", "assignments")} == {"1", "4"}


def test_a_roster_with_start_and_end_dates_stays_a_roster(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("Employee ID,Name,Start Date,End Date\n1,Ann Ng,2020-01-06,\n2,Bo Li,2020-02-03,2021-01-31\n")
    _, m = _draft(tmp_path, src)
    assert (m.kind, m.column("hire_date"), m.column("termination_date")) == ("roster", "Start Date", "End Date")


@pytest.mark.parametrize("path, kind", [(HR14, "roster"), (V13, "roster"),
                                        (MAPS / "job_history_sample.csv", "job_history"),
                                        (MAPS / "services_sample.csv", "services")])
def test_each_kind_is_recognised(path, kind):
    if not path.exists():
        pytest.skip("public dataset not present")
    assert infer_kind(read_source(path))[0] == kind


def test_the_services_sample_draft_maps_codes_and_its_timestamp_format(tmp_path):
    text, m = _draft(tmp_path, MAPS / "services_sample.csv")
    assert m.kind == "services"
    assert (m.column("staff_id"), m.column("client_id"), m.column("service_date")) == (
        "Rendering Provider", "Client MRN", "Date of Service")
    assert '"SUPV" = "supervision"   # guessed' in text and '"NOSHOW" = "ignore"   # guessed' in text
    assert '"90837" = "clinical"   # guessed' in text
    assert 'time_format = "%m/%d/%Y %H:%M"' in text
    bundle = tmp_path / "org"
    import_file(MAPS / "roster_sample.csv", MAPS / "roster.toml", bundle)
    drafted = import_services(MAPS / "services_sample.csv", m, bundle, key=ANON_KEY)
    shutil.rmtree(bundle)
    import_file(MAPS / "roster_sample.csv", MAPS / "roster.toml", bundle)
    written = import_services(MAPS / "services_sample.csv", MAPS / "services.toml", bundle, key=ANON_KEY)
    assert accounted(drafted)
    assert {k: drafted[k] for k in ("rows_imported", "rows_merged", "rows_rejected")} == \
        {k: written[k] for k in ("rows_imported", "rows_merged", "rows_rejected")}


def test_a_services_export_of_a_synthetic_org_is_drafted_and_imported(tmp_path):
    org = tmp_path / "org"
    generate(staff=60, years=2, seed=3, out=org)
    export, truth = write_export(org, tmp_path / "visits.csv")
    text, m = _draft(tmp_path, export)
    assert m.kind == "services"
    assert (m.column("minutes"), m.column("note_minutes"), m.column("supervisee_id")) == (
        "Minutes", "Note Minutes", "Supervisee")
    assert '"SUP-1" = "supervision"   # guessed' in text
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name in ("staff", "programs", "positions", "assignments", "supervision"):
        shutil.copy(org / f"{name}.csv", bundle)
    s = import_services(export, m, bundle, key=ANON_KEY)
    assert s["rows"] == truth["rows"] and accounted(s)
    assert s["rows_rejected"] == 0 and s["validation"]["status"] == "ok"


def test_roles_come_from_the_behavioral_health_vocabulary_and_credentials():
    clinical = ["Therapist, LCSW", "LPC", "LMFT", "Counselor (LADC)", "CADC II", "Psychologist, PsyD",
                "Psychologist, PhD", "Psychiatrist, MD", "PMHNP", "Nurse Practitioner", "RN", "Peer Specialist"]
    assert {t: guess_role(t) for t in clinical} == dict.fromkeys(clinical, "clinician")
    for title in ("Production Technician I", "Software Engineer", "Data Analyst", "Research Scientist, PhD",
                  "Network Engineer", "IT Support", "Sales Representative"):
        assert guess_role(title) is None, title


@pytest.mark.skipif(not HR14.exists(), reason="public dataset not present")
def test_an_import_without_a_role_map_keeps_every_title_other_and_lists_them(tmp_path):
    s = import_file(HR14, Mapping.from_dict({
        "kind": "roster", "date_format": "%m/%d/%Y",
        "columns": {"staff_id": "EmpID", "name": "Employee_Name", "hire_date": "DateofHire",
                    "termination_date": "DateofTermination", "department": "Department", "title": "Position",
                    "manager_name": "ManagerName"}}), tmp_path / "b")
    kinds = {p["title"]: p["role_kind"] for p in read(tmp_path / "b", "positions")}
    assert set(kinds.values()) == {"other"}
    for title in ("Production Technician I", "Software Engineer", "Data Analyst"):
        assert kinds[title] == "other" and title in s["unmapped"]["role_kind"]
    assert len(s["unmapped"]["role_kind"]) == 31
