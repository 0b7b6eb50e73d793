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
