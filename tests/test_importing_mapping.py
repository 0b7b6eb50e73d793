"""Tests for `orgraph import`: the mapping file: unknown fields and sections, value-map targets, lookup maps, TOML errors."""
from __future__ import annotations

import pytest

from orgraph.errors import ConfigError
from orgraph.importing import Mapping, import_file, load_mapping

from importing_helpers import by, read, roster


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
