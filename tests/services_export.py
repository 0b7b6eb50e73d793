"""A one-row-per-visit EHR export written from a synthetic bundle, consistent with its monthly files.

For the services round trip (tests/test_importing_services.py). For each clinician-month of
``caseload.csv`` with k active clients, k clients get one visit each: the clients of the month before
continue (as many as fit), new ones fill the rest. Each visit falls in the 28 days up to the month's
reference day (its last day, or the clinician's exit or the export's end when earlier) and after the month
started, so with ``active_days = 28`` a month ending while the clinician still works there counts exactly
its k clients. The month's ``session_hours`` and ``documentation_hours`` are split over its visits in whole
minutes (the synthetic hours have one decimal, whole multiples of 6 minutes), so they sum back exactly.
Every ``supervision_sessions.csv`` row becomes a supervision service. Returns the export's path and what an
import with ``active_days = 28`` and ``episode_gap_days = 90`` must give back.
"""
from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np

HEADER = ["Clinician", "Client", "Service Date", "Start", "Minutes", "Code", "Supervisee", "Note Minutes",
          "Note Signed"]


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(total: int, k: int) -> list[int]:
    base, extra = divmod(total, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def _month_end(month: str) -> dt.date:
    y, m = map(int, month.split("-"))
    return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def visit_row(sid: str, client: str, day: dt.date, mins: int, note_minutes: int, rng) -> list:
    """One therapy visit of the export: a start between 08:00 and 16:00, signed 10 minutes to about 3 days
    after it ends."""
    start = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=int(rng.integers(0, 480)))
    signed = start + dt.timedelta(minutes=mins + int(rng.integers(10, 4000)))
    return [sid, client, day.strftime("%m/%d/%Y"), start.strftime("%H:%M"), mins, "90837", "", note_minutes,
            signed.isoformat(sep=" ")]


def supervision_rows(bundle: Path, out: list) -> list[tuple]:
    """Append a supervision service for every row of the bundle's ``supervision_sessions.csv`` to ``out``;
    the sessions an import must give back, as ``(supervisor_id, staff_id, date, minutes)``."""
    sup = []
    for r in _rows(bundle / "supervision_sessions.csv"):
        day = dt.date.fromisoformat(r["date"])
        out.append([r["supervisor_id"], "", day.strftime("%m/%d/%Y"), "13:00", r["minutes"], "SUP-1",
                    r["staff_id"], "", ""])
        sup.append((r["supervisor_id"], r["staff_id"], r["date"], str(int(float(r["minutes"])))))
    return sup


def write_shuffled(path: Path, out: list, rng) -> None:
    """Write the rows under :data:`HEADER` in a random order (an export is not sorted the way orgraph needs)."""
    order = rng.permutation(len(out))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(out[i] for i in order)


def write_export(bundle: Path, path: Path, *, seed: int = 1) -> tuple[Path, dict]:
    rng = np.random.default_rng(seed)
    end = dt.date.fromisoformat(tomllib.loads((bundle / "orgraph.toml").read_text())["data"]["end"])
    staff = {r["staff_id"]: r for r in _rows(bundle / "staff.csv")}
    docs = {(r["staff_id"], r["month"]): r for r in _rows(bundle / "documentation.csv")}
    by_staff = defaultdict(list)
    for r in _rows(bundle / "caseload.csv"):
        by_staff[r["staff_id"]].append((r["month"], int(r["active_clients"])))
    out, exact, at_least, hours, visits = [], {}, {}, {}, defaultdict(list)
    n_clients = 0
    for sid, months in sorted(by_staff.items()):
        hire = dt.date.fromisoformat(staff[sid]["hire_date"])
        term = staff[sid]["termination_date"]
        last = min(dt.date.fromisoformat(term), end) if term else end
        current: list[str] = []
        for month, k in sorted(months):
            mend = _month_end(month)
            ref = min(mend, last)
            lo = max(mend.replace(day=1), ref - dt.timedelta(days=27), hire)
            (exact if ref == mend else at_least)[(sid, month)] = k
            if k == 0 or lo > ref:
                current = []
                continue
            while len(current) < k:
                n_clients += 1
                current.append(f"MRN{n_clients:06d}")
            current = current[:k]
            d = docs[(sid, month)]
            session = _split(round(float(d["session_hours"]) * 60), k)
            note = _split(round(float(d["documentation_hours"]) * 60), k)
            hours[(sid, month)] = (float(d["session_hours"]), float(d["documentation_hours"]))
            span = (ref - lo).days + 1
            for client, mins, nmin, off in zip(current, session, note, rng.integers(0, span, k)):
                day = lo + dt.timedelta(days=int(off))
                out.append(visit_row(sid, client, day, mins, nmin, rng))
                visits[(sid, client)].append(day)
    sup = supervision_rows(bundle, out)
    write_shuffled(path, out, rng)
    episodes = set()
    for (sid, client), days in visits.items():
        term = staff[sid]["termination_date"]
        still = not term or dt.date.fromisoformat(term) > end
        first, last_visit = min(days), max(days)
        open_ = still and (end - last_visit).days <= 90
        episodes.add((client, sid, first.isoformat(), "" if open_ else last_visit.isoformat()))
    return path, {"exact": exact, "at_least": at_least, "hours": hours, "supervision": sorted(sup),
                  "episodes": episodes, "end": end, "rows": len(out)}
