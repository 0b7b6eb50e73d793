"""Tests for `orgraph import`: reading exports: Excel, missing and empty files, read settings (delimiter, encoding)."""
from __future__ import annotations

import datetime as dt

import pytest

from orgraph.errors import SourceError
from orgraph.importing import Mapping, import_file

from importing_helpers import MAPS, by, read


def test_excel_without_openpyxl_gives_a_clear_error(tmp_path):
    p = tmp_path / "export.xlsx"
    try:
        import openpyxl
    except ImportError:
        p.write_bytes(b"PK\x03\x04")
        with pytest.raises(SourceError, match=r"reading Excel files needs the openpyxl package.*"
                                              r"pip install openpyxl"):
            import_file(p, MAPS / "roster.toml", tmp_path / "b")
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "hired"])
    ws.append([1, "Ann Ng", dt.datetime(2020, 1, 6)])
    wb.save(p)
    m = Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "name": "name", "hire_date": "hired"}})
    import_file(p, m, tmp_path / "b")
    assert by(read(tmp_path / "b", "staff"))["1"]["hire_date"] == "2020-01-06"


def test_missing_and_empty_files(tmp_path):
    m = MAPS / "roster.toml"
    with pytest.raises(SourceError, match="no such file"):
        import_file(tmp_path / "nope.csv", m, tmp_path / "b")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="the file is empty"):
        import_file(tmp_path / "empty.csv", m, tmp_path / "b")


def test_excel_cells_are_read_as_text_and_dates(tmp_path, monkeypatch):
    """Excel rows (through pandas): ids stay ids, date cells are dates, blank rows are skipped."""
    import sys
    import types

    import pandas as pd

    if "openpyxl" not in sys.modules:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            monkeypatch.setitem(sys.modules, "openpyxl", types.ModuleType("openpyxl"))
    sheet = pd.DataFrame([["id", "name", "hired", "zip"],
                          [10026.0, "Ng, Ann", pd.Timestamp("2020-01-06"), "01960"],
                          [None, None, None, None],
                          [10027, "Bo Li", "3/15/2021", float("nan")]], dtype=object)
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: sheet)
    p = tmp_path / "export.xlsx"
    p.write_bytes(b"PK")
    from orgraph.importing.source import read_source

    t = read_source(p)
    assert t.header == ["id", "name", "hired", "zip"]
    assert t.rows == [["10026", "Ng, Ann", dt.date(2020, 1, 6), "01960"], ["10027", "Bo Li", "3/15/2021", ""]]
    assert t.lines == [2, 4]
    m = Mapping.from_dict({"kind": "roster", "date_format": "%m/%d/%Y",
                           "columns": {"staff_id": "id", "name": "name", "hire_date": "hired"}})
    import_file(p, m, tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert (staff["10026"]["hire_date"], staff["10027"]["hire_date"]) == ("2020-01-06", "2021-03-15")


def test_read_settings_name_order_discipline_and_service_line_by_name(tmp_path):
    src = tmp_path / "e.csv"
    src.write_bytes("id;name;h;dept;title;boss\n1;Ng Ann;2020-01-01;Clínica Norte;Terapeuta;\n"
                    "2;Li Bo;2020-01-01;Clínica Norte;Terapeuta;Ng Ann\n".encode("cp1252"))
    m = Mapping.from_dict({
        "kind": "roster", "date_format": "%Y-%m-%d", "read": {"delimiter": ";", "encoding": "cp1252"},
        "managers": {"name_order": "last_first"},
        "columns": {"staff_id": "id", "name": "name", "hire_date": "h", "department": "dept", "title": "title",
                    "manager_name": "boss"},
        "maps": {"discipline": {"Terapeuta": "LPC"}, "service_line": {"clínica norte": "outpatient"}}})
    s = import_file(src, m, tmp_path / "b")
    staff = by(read(tmp_path / "b", "staff"))
    assert staff["2"]["discipline"] == "LPC" and staff["1"]["name"] == "Ng Ann"
    assert read(tmp_path / "b", "programs")[0]["service_line"] == "outpatient"
    assert [(r["staff_id"], r["supervisor_id"]) for r in read(tmp_path / "b", "supervision")] == [("2", "1")]
    assert s["managers"]["n_loose"] == 0      # "Ng Ann" read last-first matches exactly
    with pytest.raises(SourceError, match=r"line 2: byte 0xed is not valid utf-8-sig"):
        import_file(src, Mapping.from_dict({"kind": "roster", "columns": {"staff_id": "id", "hire_date": "h"}}),
                    tmp_path / "b2")
