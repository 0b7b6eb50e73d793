"""Tests for `orgraph import` on real Excel workbooks (written with openpyxl, read back through the CLI)."""
from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from importing_helpers import MAPS, read

BUNDLE_FILES = ("staff", "programs", "positions", "assignments", "supervision")
SUMMARY_KEYS = ("kind", "rows", "rows_imported", "rows_merged", "rows_rejected", "rejected_by_rule",
                "merged_by_rule", "managers", "unmapped", "written", "validation", "warnings")


def sample_rows() -> list[list[str]]:
    with open(MAPS / "roster_sample.csv", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def excel_cell(column: str, text: str):
    """The cell an HRIS would write: real dates, numbers, and nothing for a blank."""
    if text == "":
        return None
    if column in ("Hire Date", "Termination Date"):
        return dt.datetime.strptime(text, "%m/%d/%Y")
    if column == "FTE":
        return float(text)
    return text


def write_workbook(path, rows, *, cells: str, sheets_before: tuple[str, ...] = ()):
    wb = openpyxl.Workbook()
    first = wb.active
    for name in sheets_before:          # e.g. a notes sheet the export puts first
        ws = wb.create_sheet(name, 0)
        ws.append(["exported by", "HRIS"])
    ws = first
    ws.title = "Roster"
    header = rows[0]
    ws.append(header)
    for row in rows[1:]:
        if cells == "text":
            ws.append([v if v != "" else None for v in row])
        else:
            ws.append([excel_cell(h, v) for h, v in zip(header, row)])
    wb.save(path)
    return path


def cli_import(data, mapping, out) -> dict:
    from orgraph.cli import main

    r = CliRunner().invoke(main, ["import", str(data), "--mapping", str(mapping), "--out", str(out),
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def bundle_text(out, name: str) -> str:
    return (out / f"{name}.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("cells", ["text", "excel"])
def test_xlsx_roster_imports_through_the_cli_like_the_csv(tmp_path, cells):
    """The sample roster saved as .xlsx (text cells, or real date and number cells) gives the same bundle."""
    xlsx = write_workbook(tmp_path / "roster.xlsx", sample_rows(), cells=cells)
    want = cli_import(MAPS / "roster_sample.csv", MAPS / "roster.toml", tmp_path / "from-csv")
    got = cli_import(xlsx, MAPS / "roster.toml", tmp_path / "from-xlsx")
    assert {k: got[k] for k in SUMMARY_KEYS} == {k: want[k] for k in SUMMARY_KEYS}
    assert (got["rows"], got["rows_imported"], got["rows_merged"], got["rows_rejected"]) == (19, 17, 1, 1)
    assert got["validation"]["status"] == "ok"
    for name in BUNDLE_FILES:
        assert bundle_text(tmp_path / "from-xlsx", name) == bundle_text(tmp_path / "from-csv", name), name
    rej_csv, rej_xlsx = read(tmp_path / "from-csv", "rejected"), read(tmp_path / "from-xlsx", "rejected")
    # same rows rejected for the same reasons; the sheet's row numbers are the CSV's line numbers
    assert [(r["source_line"], r["rule"], r["reason"]) for r in rej_xlsx] == \
           [(r["source_line"], r["rule"], r["reason"]) for r in rej_csv] == \
           [("17", "missing-hire-date", "no hire date in column 'Hire Date'")]
    if cells == "text":
        assert bundle_text(tmp_path / "from-xlsx", "rejected") == bundle_text(tmp_path / "from-csv", "rejected")
    else:
        # a date cell is a date whatever the mapping's format says
        assert got["date_format"]["format"] == "%Y-%m-%d"


def test_xlsx_sheet_named_in_the_mapping(tmp_path):
    xlsx = write_workbook(tmp_path / "roster.xlsx", sample_rows(), cells="excel", sheets_before=("Notes",))
    mapping = tmp_path / "roster.toml"
    text = (MAPS / "roster.toml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("\n[columns]", '\n[read]\nsheet = "Roster"\n\n[columns]', 1), encoding="utf-8")
    want = cli_import(MAPS / "roster_sample.csv", MAPS / "roster.toml", tmp_path / "from-csv")
    got = cli_import(xlsx, mapping, tmp_path / "from-xlsx")
    assert got["rows_imported"] == want["rows_imported"] == 17
    for name in BUNDLE_FILES:
        assert bundle_text(tmp_path / "from-xlsx", name) == bundle_text(tmp_path / "from-csv", name), name

    from orgraph.cli import main

    mapping.write_text(text.replace("\n[columns]", '\n[read]\nsheet = "Staff"\n\n[columns]', 1), encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(xlsx), "--mapping", str(mapping), "--out", str(tmp_path / "b")])
    assert r.exit_code == 1
    assert "roster.xlsx: cannot read sheet 'Staff'" in r.output
