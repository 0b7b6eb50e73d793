"""Shared helpers for the `orgraph import` tests (tests/test_importing_*.py)."""
from __future__ import annotations

import csv
from pathlib import Path

from orgraph.importing import Mapping, import_file

ROOT = Path(__file__).resolve().parents[1]
MAPS = ROOT / "examples" / "mappings"
DATASETS = Path("/work/shared/datasets")
HR14 = DATASETS / "HRDataset_v14.csv"
ORACLE = DATASETS / "oracle_hr" / "employees.csv"

ROSTER_COLS = {"staff_id": "id", "name": "name", "hire_date": "hired", "termination_date": "left",
               "termination_reason": "why", "department": "dept", "title": "title", "manager_name": "boss"}
ROSTER_HEAD = "id,name,hired,left,why,dept,title,boss\n"


def roster(tmp_path, body: str, *, head: str = ROSTER_HEAD, validate: bool = True, **mapping):
    src = tmp_path / "export.csv"
    src.write_text(head + body, encoding="utf-8")
    m = {"kind": "roster", "date_format": "%Y-%m-%d", "columns": dict(ROSTER_COLS)}
    for k, v in mapping.items():
        if isinstance(v, dict) and isinstance(m.get(k), dict):
            m[k].update(v)
        else:
            m[k] = v
    out = tmp_path / "bundle"
    s = import_file(src, Mapping.from_dict(m), out, validate=validate)
    return s, out


def read(out: Path, name: str) -> list[dict]:
    with open(out / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by(rows, key="staff_id"):
    return {r[key]: r for r in rows}


def accounted(s):
    return s["rows_imported"] + s["rows_merged"] + s["rows_rejected"] == s["rows"]
