"""Benchmark: validate bundles whose supervision is one long chain (deep hierarchies).

    python3 benchmarks/bench_validate.py [--sizes 1000,5000,10000] [--shape same|staggered|cycle|staggered-cycle|all]

Each bundle has N people, N seats and one supervision chain S1 ← S2 ← … ← SN (everyone supervised by the
person before). Shapes:

- ``same``: every link starts on the same day (one time slice);
- ``staggered``: person i is hired (and their link starts) i days after the first (N time slices);
- ``cycle``: ``same`` plus a last row, starting a day later, making the top person supervised by the
  bottom one (a cycle through the whole chain, reported once);
- ``staggered-cycle``: ``staggered`` plus that row, starting the day after the last hire.

Prints the seconds :func:`orgraph.validate.validate_bundle` takes for each size and shape.
"""
from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from orgraph.validate import validate_bundle

START = dt.date(2015, 1, 1)
SHAPES = ["same", "staggered", "cycle", "staggered-cycle"]


def write_chain(folder: Path, n: int, shape: str) -> Path:
    """Write a bundle of ``n`` people in one supervision chain into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    staggered = shape.startswith("staggered")
    hire = [START + dt.timedelta(days=(i if staggered else 0)) for i in range(n)]
    staff = ["staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason"]
    staff += [f"S{i + 1},Person {i + 1},LCSW,{hire[i]},,," for i in range(n)]
    positions = ["position_id,title,program_id,role_kind"] + [f"P{i + 1},Staff,OP,clinician" for i in range(n)]
    assignments = ["staff_id,position_id,start_date,end_date"] + [f"S{i + 1},P{i + 1},{hire[i]}," for i in range(n)]
    supervision = ["staff_id,supervisor_id,start_date,end_date"]
    supervision += [f"S{i + 1},S{i},{hire[i]}," for i in range(1, n)]
    if shape.endswith("cycle"):
        supervision.append(f"S1,S{n},{hire[-1] + dt.timedelta(days=1)},")
    files = {"staff.csv": staff, "programs.csv": ["program_id,name,service_line", "OP,Outpatient,outpatient"],
             "positions.csv": positions, "assignments.csv": assignments, "supervision.csv": supervision}
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--shape", default="all", choices=[*SHAPES, "all"])
    args = ap.parse_args()
    shapes = SHAPES if args.shape == "all" else [args.shape]
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            for n in (int(x) for x in args.sizes.split(",")):
                folder = write_chain(Path(tmp) / f"{shape}-{n}", n, shape)
                t0 = time.perf_counter()
                _, issues = validate_bundle(folder)
                took = time.perf_counter() - t0
                errors = sum(i.severity == "error" for i in issues)
                print(f"{shape:9s} chain of {n:6d}: {took:8.2f} s  ({errors} error(s), {len(issues) - errors} warning(s))",
                      flush=True)


if __name__ == "__main__":
    main()
