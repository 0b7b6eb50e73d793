"""The command line: exit codes, messages, formats; once through a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bundles import add_rows
from orgraph.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_help_lists_commands_with_one_line_help():
    r = run("--help")
    assert r.exit_code == 0
    for name, cmd in main.commands.items():
        assert name in r.output
        assert cmd.help and cmd.help.strip(), f"command {name} has no help text"


def test_validate_clean_bundle(bundle):
    r = run("validate", bundle())
    assert r.exit_code == 0
    assert r.output.strip().endswith("0 errors, 0 warnings; the bundle loads.")


def test_validate_errors_exit_1_with_summary(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,"))
    r = run("validate", folder)
    assert r.exit_code == 1
    assert "supervision.csv:5 [supervisor_id] error: 'S4' is listed as their own supervisor" in r.output
    assert "1 error, 0 warnings; the bundle does not load." in r.output


def test_validate_warnings_exit_0_unless_strict(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S3,S4,2021-01-01,2021-01-31"))
    assert run("validate", folder).exit_code == 0
    assert run("validate", folder, "--strict").exit_code == 1


def test_validate_json(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,"))
    r = run("validate", folder, "--format", "json")
    doc = json.loads(r.output)
    assert doc["errors"] == 1 and doc["issues"][0]["rule"] == "self-supervision" and doc["issues"][0]["line"] == 5


def test_analysis_on_bad_bundle_is_one_clean_error_not_a_traceback(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,"))
    r = run("info", folder)
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "supervision.csv:5 [supervisor_id] error: 'S4' is listed as their own supervisor" in r.output


def test_missing_folder(tmp_path):
    r = run("info", tmp_path / "nope")
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: {tmp_path / 'nope'} does not exist; expected a folder of CSV files (see docs/data-format.md)"


def test_info_table_and_json(bundle):
    folder = bundle()
    r = run("info", folder)
    assert r.exit_code == 0 and "people:        4 (4 employed on 2021-06-30)" in r.output
    doc = json.loads(run("info", folder, "--format", "json").output)
    assert doc["staff"] == 4 and doc["date_to"] == "2021-06-30"
    assert {"year": 2021, "role_kind": "clinician", "exits": 1, "headcount_start": 2, "rate": 0.5} in doc["exits_by_year"]
    csv_out = run("info", folder, "--format", "csv").output
    assert csv_out.splitlines()[0] == "year,role_kind,exits,headcount_start,rate"


def test_real_subprocess(bundle):
    folder = bundle(supervision_csv=add_rows("supervision.csv", "S4,S4,2020-02-01,"))
    p = subprocess.run([sys.executable, "-m", "orgraph", "validate", str(folder)], capture_output=True, text=True)
    assert p.returncode == 1
    assert "'S4' is listed as their own supervisor" in p.stdout
    p = subprocess.run([sys.executable, "-m", "orgraph", "info", str(folder)], capture_output=True, text=True)
    assert p.returncode == 1 and "Traceback" not in p.stderr and p.stderr.startswith("supervision.csv:5")


def test_password_in_a_neo4j_address_is_never_printed(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    r = run("info", "bolt://neo4j:hunter2@localhost:1")
    assert r.exit_code == 1 and "hunter2" not in r.output
    assert "give the user with --user and the password in NEO4J_PASSWORD" in r.output


def test_as_of_after_the_data_is_an_error_not_a_silent_answer(riverbend):
    r = run("cascades", riverbend.data.source, "--as-of", "2030-01-01")
    assert r.exit_code == 1
    assert r.output.strip() == ("Error: --as-of 2030-01-01 is after the last day of data (2025-12-31); "
                                "the data cannot say what happened then")


def test_csv_for_people_cannot_carry_a_formula_and_tables_no_escape_codes(tmp_path):
    """A name like =HYPERLINK(...) is text in every CSV people open; an ESC sequence never reaches the terminal."""
    import csv
    import io

    from orgraph.render.tables import render

    rows = [{"staff_id": "S1", "name": '=HYPERLINK("http://evil","x")', "note": "+1", "n": -3},
            {"staff_id": "S2", "name": "Ana\x1b[2J\x1b[31mRed", "note": "@ok", "n": 2}]
    got = list(csv.reader(io.StringIO(render(rows, "csv"))))
    assert got[1][1] == '\'=HYPERLINK("http://evil","x")' and got[1][2] == "'+1" and got[1][3] == "-3"
    assert got[2][2] == "'@ok"
    table = render(rows, "table")
    assert "\x1b" not in table and "Ana[2J[31mRed" in table


@pytest.mark.parametrize("address", ["http://user:s3cret@host/x", "bolt:/neo4j:s3cret@localhost"])
def test_a_password_in_a_mistyped_address_is_never_printed(address):
    r = CliRunner().invoke(main, ["info", address])
    assert r.exit_code == 1 and "does not exist" in r.output
    assert "s3cret" not in r.output


class _Terminal:
    """A stream that says it is a terminal (progress bars draw only on one)."""

    def __init__(self):
        self.text = []

    def write(self, s):
        self.text.append(s)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_large_load_shows_rows_per_second_on_a_terminal_only(monkeypatch):
    from orgraph.cli.options import load_progress
    from orgraph.validate import validate_bundle

    term = _Terminal()
    with load_progress("examples/riverbend", stream=term, min_bytes=0) as progress:
        validate_bundle("examples/riverbend", progress=progress)
    shown = "".join(term.text)
    assert "Loading" in shown and "50,568 rows" in shown and "rows/s" in shown
    with load_progress("examples/riverbend", stream=term, min_bytes=10**12) as progress:
        assert progress is None  # a small bundle: no bar
    monkeypatch.setattr(_Terminal, "isatty", lambda self: False)
    with load_progress("examples/riverbend", stream=term, min_bytes=0) as progress:
        assert progress is None  # not a terminal: no bar
    r = run("validate", "examples/riverbend", "--format", "json")
    assert json.loads(r.output)["errors"] == 0  # JSON output stays clean


def test_command_index_names_every_command_its_module_and_its_short_help():
    import importlib
    import pkgutil

    import orgraph.cli as cli

    found = {}
    for mod in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"orgraph.cli.{mod.name}")
        for cmd in getattr(module, "COMMANDS", []):
            found[cmd.name] = (mod.name, cmd.get_short_help_str(10**6))
    assert found == cli.COMMAND_INDEX
    assert sorted(main.commands) == sorted(cli.COMMAND_INDEX)


def test_help_imports_no_command_and_a_command_imports_only_its_module():
    code = ("import sys\n"
            "from orgraph.cli import main\n"
            "try:\n"
            "    main([sys.argv[1], '--help'] if len(sys.argv) > 1 else ['--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            "mods = [m for m in ('pandas', 'orgraph.registry', 'orgraph.cli.audit', 'orgraph.cli.core',"
            " 'orgraph.cli.synth', 'orgraph.cli.db') if m in sys.modules]\n"
            "print('LOADED', *mods)\n")
    listing = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert listing.splitlines()[-1] == "LOADED"
    for name in main.commands:
        assert f"\n  {name} " in listing
    validate = subprocess.run([sys.executable, "-c", code, "validate"], capture_output=True, text=True,
                              check=True).stdout
    assert "Check a bundle folder" in validate
    assert validate.splitlines()[-1].split()[1:] == ["pandas", "orgraph.cli.core"]
