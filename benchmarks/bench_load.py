"""Benchmark: loading a bundle (read, validate, OrgData, graph frames) against the pandas floor.

    python3 benchmarks/bench_load.py [--sizes 1000,5000] [--years 10] [--folders DIR,DIR] [--parquet]

For each bundle (synthetic ones written to a temporary folder for ``--sizes``, or the ``--folders`` given),
each stage runs in a fresh Python process, so every peak memory is that stage's own:

- ``floor``: pandas reads every CSV file of the bundle (``pd.read_csv``, default engine and types), nothing more;
- ``load``: :func:`orgraph.validate.validate_bundle` (read, rules, OrgData), with the time of each step
  (``read``, ``rules``, ``model``), then the graph frames an audit needs (``frames``: ``OrgGraph``,
  ``staff_frame``, ``assignment_frame``, ``supervision_frame``) and, timed apart, the NetworkX graph (``nx``);
- ``validate``: the ``orgraph validate`` command, start to exit.

Prints one row per bundle: seconds and peak GB of each stage, and ``load / floor`` and ``validate / floor``.
With ``--parquet`` the bundles are also written as Parquet and loaded (``load pq``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = """
import json, resource, sys, time
from pathlib import Path
import pandas as pd
t = time.perf_counter()
rows = sum(len(pd.read_csv(p)) for p in sorted(Path(sys.argv[1]).glob("*.csv")))
print(json.dumps({"s": time.perf_counter() - t, "rows": rows,
                  "gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""

LOAD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from orgraph.graph import OrgGraph
from orgraph.reading import IssueLog, read_tables
import orgraph.validate as V
folder = Path(sys.argv[1])
t = time.perf_counter()
log = IssueLog()
tables = read_tables(folder, log)
t1 = time.perf_counter()
V._check(tables, log)
t2 = time.perf_counter()
data = V._build(tables, {n for n in V.TABLE_COLUMNS if tables.get(n) is not None})
del tables
t3 = time.perf_counter()
org = OrgGraph(data)
org.staff_frame, org.assignment_frame, org.supervision_frame
t4 = time.perf_counter()
gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
org.G
t5 = time.perf_counter()
print(json.dumps({"import": t - t0, "read": t1 - t, "rules": t2 - t1, "model": t3 - t2, "frames": t4 - t3,
                  "load": t4 - t, "gb": gb, "nx": t5 - t4,
                  "nx_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def _run(code: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _validate(folder: Path) -> dict:
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run([sys.executable, '-m', 'orgraph', 'validate', sys.argv[1]], capture_output=True); "
            "import json; print(json.dumps({'s': time.perf_counter() - t, "
            "'gb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6}))")
    return _run(code, folder)


def measure(folder: Path, parquet: Path | None = None) -> dict:
    """Every stage of one bundle (see the module docs)."""
    row = {"bundle": folder.name, "floor": _run(FLOOR, folder), "load": _run(LOAD, folder),
           "validate": _validate(folder)}
    if parquet is not None:
        row["load_pq"] = _run(LOAD, parquet)
    return row


def table(rows: list[dict]) -> str:
    """The measurements as a fixed-width table."""
    head = (f"{'bundle':<10} {'rows':>10} {'floor s':>8} {'GB':>5} | {'read':>6} {'rules':>6} {'model':>6} "
            f"{'frames':>6} {'load s':>7} {'GB':>5} {'x floor':>7} | {'nx s':>6} | {'validate s':>10} {'GB':>5} "
            f"{'x floor':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        f, ld, v = r["floor"], r["load"], r["validate"]
        lines.append(f"{r['bundle']:<10} {f['rows']:>10,} {f['s']:>8.1f} {f['gb']:>5.2f} | {ld['read']:>6.1f} "
                     f"{ld['rules']:>6.1f} {ld['model']:>6.1f} {ld['frames']:>6.1f} {ld['load']:>7.1f} "
                     f"{ld['gb']:>5.2f} {ld['load'] / f['s']:>7.2f} | {ld['nx']:>6.1f} | {v['s']:>10.1f} "
                     f"{v['gb']:>5.2f} {v['s'] / f['s']:>7.2f}")
        if "load_pq" in r:
            p = r["load_pq"]
            lines.append(f"{'  parquet':<10} {'':>10} {'':>8} {'':>5} | {p['read']:>6.1f} {p['rules']:>6.1f} "
                         f"{p['model']:>6.1f} {p['frames']:>6.1f} {p['load']:>7.1f} {p['gb']:>5.2f} "
                         f"{p['load'] / f['s']:>7.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000", help="staff sizes of synthetic bundles to write and load")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--folders", default="", help="comma-separated bundle folders to load instead")
    ap.add_argument("--parquet", action="store_true", help="also write each bundle as Parquet and load that")
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.folders:
            folders = [Path(f) for f in args.folders.split(",")]
        else:
            from orgraph.synth import generate

            folders = []
            for n in (int(x) for x in args.sizes.split(",")):
                folders.append(Path(tmp) / f"s{n}")
                generate(staff=n, years=args.years, seed=1, out=folders[-1])
        for folder in folders:
            pq_folder = None
            if args.parquet:
                from orgraph.columnar import csv_to_parquet
                from orgraph.schema import FILES

                pq_folder = Path(tmp) / f"{folder.name}-parquet"
                pq_folder.mkdir()
                for spec in FILES.values():
                    if (folder / spec.filename).exists():
                        (pq_folder / spec.filename).write_bytes((folder / spec.filename).read_bytes())
                        csv_to_parquet(pq_folder / spec.filename, spec)
            t = time.perf_counter()
            rows.append(measure(folder, pq_folder))
            print(f"{folder}: measured in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    print(table(rows))
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
