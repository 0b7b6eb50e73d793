"""``orgraph synth``: write a synthetic org with planted patterns (for demos and tests)."""
from __future__ import annotations

import sys
import time

import click

from ..synth import STEPS, generate
from .options import DATE
from ..plain import plural

__all__ = ["COMMANDS", "synth_cmd"]


@click.command("synth")
@click.option("--staff", type=click.IntRange(min=10), default=150, show_default=True,
              help="Steady-state headcount (seats filled on a typical day; people ever employed will be more).")
@click.option("--years", type=click.IntRange(1, 30), default=4, show_default=True, help="Years simulated.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: same seed, same files.")
@click.option("--out", "out", required=True, type=click.Path(path_type=str), help="Folder to write the bundle into.")
@click.option("--start", type=DATE, default=None,
              help="First simulated day (YYYY-MM-DD). Default: 1 January of 2026 minus --years.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (files are replaced).")
@click.option("--null", "null", is_flag=True,
              help="Plant nothing (no cascades, overload, churn seats or program breaks; caseload does not "
                   "affect leaving): a calibration org for counting false positives.")
@click.option("--tenure-shape", "tenure_shape", type=float, default=None, metavar="K",
              help="Weibull shape of tenures, 0.2 to 5 (default 0.9). 0.6 puts most leaving in the first "
                   "months, as in real clinician turnover; the mean tenure stays the same.")
@click.option("--export-from", "export_from", type=DATE, default=None,
              help="Write an export that starts on this day (YYYY-MM-DD) without saying so: nobody who left "
                   "before it, monthly tables from its month, no [data] start in orgraph.toml.")
@click.option("--parquet", is_flag=True,
              help="Write the data files as Parquet (staff.parquet, ...) instead of CSV; orgraph reads either.")
def synth_cmd(staff, years, seed, out, start, force, null, tenure_shape, export_from, parquet):
    """Write a synthetic behavioral health org with planted patterns and its truth.json.

    The bundle has every file orgraph reads, plus truth.json recording the planted
    supervisor-exit cascades, overloaded supervisors, churn seats, and the programs
    whose caseloads and documentation break (see docs/synthetic.md). --null,
    --tenure-shape and --export-from make calibration orgs.
    """
    t0 = time.perf_counter()
    err = sys.stderr
    args = {"staff": staff, "years": years, "seed": seed, "out": out, "start": start, "force": force,
            "null": null, "tenure_shape": tenure_shape, "export_from": export_from,
            "parquet": parquet}
    if not err.isatty():          # no bar in logs and pipes
        truth = generate(**args)
    else:
        with click.progressbar(length=STEPS, label="Generating", file=err, show_eta=False) as bar:
            def step(name):
                bar.label = name[:40].ljust(40)
                bar.update(1)

            truth = generate(**args, progress=step)
    c = truth["counts"]
    click.echo(f"Wrote {out}: {c['people']} people in {c['seats']} seats and {c['programs']} programs, "
               f"{truth['window']['start']} to {truth['window']['end']}, {c['exits']} exits "
               f"({time.perf_counter() - t0:.1f} s).")
    if truth.get("null"):
        click.echo(f"Planted: nothing (a null org); see {out}/truth.json.")
        return
    click.echo(f"Planted: {len(truth['cascades'])} supervisor-exit cascades, "
               f"{plural(len(truth['overloaded_supervisors']), 'overloaded supervisor')}, "
               f"{len(truth['churn_seats'])} churn seats, caseload program "
               f"{(truth['caseload_program'] or {}).get('program_id', 'none')}, documentation program "
               f"{(truth['documentation_program'] or {}).get('program_id', 'none')}; see {out}/truth.json.")


COMMANDS = [synth_cmd]
