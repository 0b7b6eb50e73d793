"""Benchmark: import a 50,000-row roster (and a job history) with `orgraph import`'s library function.

    python3 benchmarks/bench_import.py [--rows 50000] [--seed 7]

Writes a synthetic roster CSV (M/D/YYYY dates detected with date_format = "auto", employees as
"Last, First M", managers as "First M. Last", about 1% of managers not in the file) to a temporary
folder, then times the import with and without validating the written bundle.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from orgraph.importing import Mapping, import_file

FIRST = ["Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Milo", "Nia",
         "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tess", "Uma", "Vic", "Wes", "Xena", "Yuri", "Zoe"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones", "Khan", "Lopez",
        "Moore", "Nguyen", "Okafor", "Patel", "Quist", "Reyes", "Smith", "Tran", "Ueda", "Vega", "Wu", "Xu",
        "Young", "Zhang"]
PROGRAMS = ["Outpatient", "Intensive Outpatient", "Residential", "Crisis", "School-Based", "ACT Team"]
TITLES = ["Therapist", "Case Manager", "Peer Specialist", "Clinical Supervisor", "Program Director"]


def make_roster(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.date(2010, 1, 1)
    names = []
    for i in range(rows):
        names.append((f"{rng.choice(FIRST)}{i % 97}", rng.choice("ABCDEFGHJKLMNPRSTW"), f"{rng.choice(LAST)}{i // 97}"))
    hires = [start + dt.timedelta(days=rng.randrange(0, 3650)) for _ in range(rows)]
    n_mgr = max(rows // 10, 1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Employee ID", "Employee Name", "Job Title", "Department", "Supervisor", "Hire Date",
                    "Termination Date", "Termination Reason"])
        for i in range(rows):
            first, mid, last = names[i]
            hire = hires[i]
            term = ""
            if rng.random() < 0.4:
                t = hire + dt.timedelta(days=rng.randrange(30, 2000))
                if t < dt.date(2024, 12, 31):
                    term = f"{t.month}/{t.day}/{t.year}"
            if i < n_mgr:
                title = "Program Director" if i < n_mgr // 10 else "Clinical Supervisor"
                boss = "" if i == 0 else rng.randrange(0, max(i, 1))
            else:
                title = rng.choice(TITLES[:3])
                boss = rng.randrange(0, n_mgr)
            if boss == "":
                sup = ""
            elif rng.random() < 0.01:
                sup = f"Outside {rng.choice(LAST)} Consultant{boss}"
            else:
                bf, bm, bl = names[boss]
                sup = f"{bf} {bm}. {bl}"
            w.writerow([f"E{i:06d}", f"{last}, {first}  {mid}", title, rng.choice(PROGRAMS) + ("  " if i % 7 else ""),
                        sup, f"{hire.month}/{hire.day}/{hire.year}", term,
                        rng.choice(["Resigned", "Dismissed", "Retired"]) if term else ""])


MAPPING = Mapping.from_dict({
    "kind": "roster", "date_format": "auto",
    "columns": {"staff_id": "Employee ID", "name": "Employee Name", "title": "Job Title",
                "department": "Department", "manager_name": "Supervisor", "hire_date": "Hire Date",
                "termination_date": "Termination Date", "termination_reason": "Termination Reason"},
    "maps": {"termination_type": {"Resigned": "voluntary", "Dismissed": "involuntary", "Retired": "retirement"},
             "role_kind": {"Program Director": "director", "Clinical Supervisor": "supervisor", "*": "clinician"}},
})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "roster.csv"
        t0 = time.perf_counter()
        make_roster(src, args.rows, args.seed)
        print(f"generated {args.rows:,} roster rows in {time.perf_counter() - t0:.2f} s")
        t0, c0 = time.perf_counter(), time.process_time()
        s = import_file(src, MAPPING, Path(tmp) / "bundle_novalidate", validate=False)
        t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        s = import_file(src, MAPPING, Path(tmp) / "bundle")
        t_total, c_total = time.perf_counter() - t0, time.process_time() - c0
        m = s["managers"]
        print(f"import (no validation): {t_import:.2f} s wall, {c_import:.2f} s CPU; "
              f"import + validation: {t_total:.2f} s wall, {c_total:.2f} s CPU")
        print(f"rows {s['rows']:,}: imported {s['rows_imported']:,}, merged {s['rows_merged']}, "
              f"rejected {s['rows_rejected']}; written {s['written']}")
        print(f"managers: {m['resolved_lines']:,} lines, {m.get('n_external', 0)} external, "
              f"{m.get('n_ambiguous', 0)} ambiguous names, {m.get('n_no_overlap', 0)} without overlap; "
              f"dates {s['date_format']['format']}; validation {s['validation']['status']} "
              f"({s['validation']['errors']} errors, {s['validation']['warnings']} warnings)")


if __name__ == "__main__":
    main()
