"""Tests for `orgraph import` on the command line."""
from __future__ import annotations

import json

from click.testing import CliRunner

from importing_helpers import MAPS


def test_cli_import_and_infer(tmp_path):
    from orgraph.cli import main

    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "19 source rows: 17 imported, 1 merged, 1 rejected" in r.output
    assert "validation: ok (0 errors, 0 warnings)" in r.output
    (tmp_path / "b" / "caseload.csv").write_text("staff_id,month,active_clients\nX,2020-01,3\n")   # another org's
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b"), "--format", "json"])
    assert r.exit_code == 2 and "is not empty" in r.output and "--force" in r.output
    r = CliRunner().invoke(main, ["import", str(MAPS / "roster_sample.csv"), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b"), "--format", "json", "--force"])
    assert json.loads(r.output)["rows_rejected"] == 1
    assert not (tmp_path / "b" / "caseload.csv").exists()          # replaced as a whole: nothing old is mixed in
    assert not list(tmp_path.glob(".b.*"))
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


def test_infer_mapping_into_a_missing_folder_is_a_clean_error(tmp_path):
    from orgraph.cli import main

    r = CliRunner().invoke(main, ["import", "--infer-mapping", str(MAPS / "roster_sample.csv"),
                                  "--out", str(tmp_path / "missing" / "m.toml")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_an_import_that_rejects_every_row_fails(tmp_path):
    from orgraph.cli import main

    data = tmp_path / "roster.csv"
    header = (MAPS / "roster_sample.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    data.write_text(header + "\n" + ",".join("" for _ in header.split(",")) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(data), "--mapping", str(MAPS / "roster.toml"),
                                  "--out", str(tmp_path / "b")])
    assert r.exit_code == 1 and "no row of" in r.output


def test_a_mapping_reads_value_maps_only_from_its_own_folder(tmp_path):
    from orgraph.errors import ConfigError
    from orgraph.importing.mapping import load_mapping

    text = (MAPS / "roster.toml").read_text()
    m = tmp_path / "m.toml"
    m.write_text(text.replace("[maps.service_line]", '[maps.service_line]\n_file = {path = "../../etc/passwd", '
                                                     'key = "a", value = "b"}', 1))
    try:
        load_mapping(m)
    except ConfigError as exc:
        assert "must be a file in the mapping's own folder" in str(exc)
    else:
        raise AssertionError("a _file outside the mapping's folder was read")
