"""Benchmark: import a million EHR service rows with `orgraph import`'s services importer.

    python3 benchmarks/bench_services.py [--rows 1000000] [--staff 400] [--seed 7]

Writes a bundle's staff.csv (``--staff`` clinicians and supervisors hired 2019-2021, a fifth of them gone
before 2024) and a synthetic service export to a temporary folder: clinician, client (about 25 per
clinician), M/D/YYYY date, start time of day, minutes, CPT-like code (1% supervision), note minutes and an
ISO note-signed timestamp (so every row has a distinct timestamp to parse), with about 0.1% malformed
values to reject. Then times :func:`orgraph.importing.services.import_services` with and without
validating the bundle, and prints rows per second.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from orgraph.importing import Mapping
from orgraph.importing.services import import_services

MAPPING = {
    "kind": "services", "date_format": "%m/%d/%Y",
    "columns": {"staff_id": "Rendering Provider ID", "client_id": "MRN", "service_date": "DOS",
                "start_time": "Start", "minutes": "Duration", "service_code": "CPT",
                "supervisee_id": "Supervisee", "note_minutes": "Note Minutes", "note_signed": "Signed At"},
    "maps": {"service": {"908*": "clinical", "H0032": "clinical", "SUPV": "supervision", "NOSHOW": "ignore"}},
}


def make_export(folder: Path, rows: int, staff: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    ids = np.array([f"E{i:05d}" for i in range(staff)], object)
    hire = np.datetime64("2019-01-01") + rng.integers(0, 1000, staff)
    gone = rng.random(staff) < 0.2
    term = np.where(gone, hire + rng.integers(400, 1500, staff), np.datetime64("2100-01-01"))
    end = np.datetime64("2024-12-31")
    pd.DataFrame({"staff_id": ids, "name": [f"Clinician {i}" for i in range(staff)], "discipline": "LCSW",
                  "hire_date": hire.astype(str),
                  "termination_date": np.where(term < end, term.astype(str), ""),
                  "termination_type": np.where(term < end, "voluntary", ""), "termination_reason": ""}
                 ).to_csv(folder / "staff.csv", index=False)
    s = rng.integers(0, staff, rows)
    last = np.minimum(term, end)[s]
    span = (last - hire[s]).astype(np.int64)
    day = hire[s] + (rng.random(rows) * np.maximum(span, 1)).astype(np.int64)
    client = s * 25 + rng.integers(0, 25, rows)
    code = rng.choice(np.array(["90837", "90834", "H0032", "SUPV", "NOSHOW"], object), rows,
                      p=[0.5, 0.37, 0.1, 0.01, 0.02])
    sup = code == "SUPV"
    start_min = rng.integers(8 * 60, 18 * 60, rows)
    signed = (day.astype("datetime64[m]") + start_min + rng.integers(60, 6000, rows))
    dos = pd.Series(pd.DatetimeIndex(day)).dt.strftime("%m/%d/%Y").to_numpy(object)
    df = pd.DataFrame({
        "Rendering Provider ID": ids[s], "MRN": np.where(sup, "", "M" + client.astype(str)), "DOS": dos,
        "Start": [f"{m // 60:02d}:{m % 60:02d}" for m in start_min],
        "Duration": rng.choice(np.array([30, 45, 53, 60, 90]), rows).astype(str), "CPT": code,
        "Supervisee": np.where(sup, ids[(s + 1) % staff], ""),
        "Note Minutes": rng.integers(5, 40, rows).astype(str),
        "Signed At": np.datetime_as_string(signed, unit="m")})
    bad = rng.choice(rows, rows // 1000, replace=False)       # 0.1% broken rows, to be rejected
    df.loc[bad[0::3], "DOS"] = "13/45/2021"
    df.loc[bad[1::3], "Duration"] = "=cmd|' /C calc'!A0"
    df.loc[bad[2::3], "Rendering Provider ID"] = "UNKNOWN"
    path = folder / "services.csv"
    df.to_csv(path, index=False)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--staff", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        path = make_export(folder, a.rows, a.staff, a.seed)
        print(f"wrote {a.rows:,} service rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        m = Mapping.from_dict(MAPPING)
        for validate in (False, True):
            t = time.perf_counter()
            s = import_services(path, m, folder, key="Bench-pseudonym-key-2026", validate=validate)
            sec = time.perf_counter() - t
            print(f"import {'with' if validate else 'without'} validation: {sec:.1f} s "
                  f"({a.rows / sec:,.0f} rows/s); {s['rows_imported']:,} imported, {s['rows_merged']:,} merged, "
                  f"{s['rows_rejected']:,} rejected {s['rejected_by_rule']}; written {s['written']}")


if __name__ == "__main__":
    main()
