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


def test_import_parquet_gives_the_same_bundle_and_audit(tmp_path, monkeypatch):
    from orgraph import load
    from orgraph.cli import main

    monkeypatch.setenv("ORGRAPH_ANON_KEY", "Riverbend-test-key-2026!")
    args = [str(MAPS / "roster_sample.csv"), str(MAPS / "services_sample.csv"),
            "-m", str(MAPS / "roster.toml"), "-m", str(MAPS / "services.toml")]
    r = CliRunner().invoke(main, ["import", *args, "--out", str(tmp_path / "csv")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["import", *args, "--out", str(tmp_path / "pq"), "--parquet"])
    assert r.exit_code == 0, r.output
    from orgraph.schema import FILES

    data = sorted(s.filename for s in FILES.values() if (tmp_path / "csv" / s.filename).exists())
    assert "caseload.csv" in data and "staff.csv" in data
    assert sorted(p.name for p in (tmp_path / "pq").glob("*.parquet")) == sorted(
        n.replace(".csv", ".parquet") for n in data)
    assert not [n for n in data if (tmp_path / "pq" / n).exists()]          # no CSV beside its Parquet
    assert (tmp_path / "pq" / "rejected-services.csv").exists() or (tmp_path / "pq" / "rejected.csv").exists()
    assert "Wrote the bundle as Parquet: " in r.output
    a, b = load(str(tmp_path / "csv")), load(str(tmp_path / "pq"))
    for name in ("staff", "positions", "assignments", "supervision"):
        assert a.data.table(name).equals(b.data.table(name)), name
    for name in ("caseload", "documentation", "client_assignments", "supervision_sessions"):
        assert getattr(a.data, name).equals(getattr(b.data, name)), name
    outs = []
    for folder in ("csv", "pq"):
        r = CliRunner().invoke(main, ["audit", str(tmp_path / folder), "--out", str(tmp_path / f"audit-{folder}"),
                                      "--no-png", "--format", "json"])
        assert r.exit_code == 0, r.output
        outs.append(r.output.replace(str(tmp_path / f"audit-{folder}"), "OUT").replace(str(tmp_path / folder), "DATA"))
    assert outs[0] == outs[1]
    # services alone go into a CSV bundle only
    r = CliRunner().invoke(main, ["import", str(MAPS / "services_sample.csv"), "-m", str(MAPS / "services.toml"),
                                  "--out", str(tmp_path / "pq"), "--force"])
    assert r.exit_code == 2 and "is a Parquet bundle" in r.output


def test_parquet_conversion_that_fails_leaves_the_csv_bundle(tmp_path):
    from orgraph.errors import SourceError
    from orgraph.importing.writer import bundle_to_parquet

    (tmp_path / "programs.csv").write_text("program_id,name,service_line\nOP,Outpatient,outpatient\n")
    (tmp_path / "staff.csv").write_text("staff_id,name,discipline,hire_date\nS1,Ann,LCSW,not a date\n")
    try:
        bundle_to_parquet(tmp_path)
    except SourceError as exc:
        assert "could not write" in str(exc) and "CSV bundle is left as it was" in str(exc)
    else:
        raise AssertionError("a cell that is not a date must stop the conversion")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["programs.csv", "staff.csv"]
