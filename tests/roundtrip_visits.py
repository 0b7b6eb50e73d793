"""A one-row-per-visit EHR export that gives a synthetic bundle's monthly files back exactly.

For the round trip through real-export shapes (tests/test_roundtrip.py); tests/services_export.py is the
simpler writer of the services tests. Read back with ``[services] active_days = 28`` and ``end_date`` = the
bundle's ``[data] end``, this export gives back ``caseload.csv`` (every month, also the months cut short by an
exit or a move to a seat without clients), ``documentation.csv`` and ``supervision_sessions.csv`` exactly.

For each clinician-month of ``caseload.csv`` with k active clients, k clients get one visit each: the clients
of the month before continue (as many as fit), new ones fill the rest. The month's reference day is its last
day, or, when earlier, the clinician's exit, the export's end, or the end of the seat their last caseload
month belongs to (a clinician promoted to a supervisor seat without clients). Visits fall in the 28 days up to
it and inside the month. A client of the month before who does not continue into a month cut short is seen
early enough in that month before to be out of the 28-day window on the cut day. Session and documentation
hours are split over the month's visits in whole minutes (the synthetic hours have one decimal, whole
multiples of 6 minutes), so they sum back exactly.

``caseload.csv`` and ``client_assignments.csv`` of a synthetic bundle are drawn independently (the episodes
keep each caseload only on average), so no visit export can give back both: this one gives back the caseloads,
and the episodes are those of its visits, returned as ``truth["episodes"]``.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
from services_export import _month_end, _rows, _split, supervision_rows, visit_row, write_shuffled

DAY = dt.timedelta(days=1)
#: The services mapping that reads the export (``end_date`` is set by :func:`write_visits`).
MAPPING = {
    "kind": "services", "date_format": "%m/%d/%Y",
    "columns": {"staff_id": "Clinician", "client_id": "Client", "service_date": "Service Date", "start_time": "Start",
                "minutes": "Minutes", "service_code": "Code", "supervisee_id": "Supervisee",
                "note_minutes": "Note Minutes", "note_signed": "Note Signed"},
    "maps": {"service": {"90837": "clinical", "SUP-*": "supervision"}},
    "services": {"active_days": 28, "episode_gap_days": 90, "max_note_minutes": 1440},
}


def _seat_end(seats: list[tuple], month: str) -> dt.date | None:
    """The end of the seat held on the last day of ``month``'s caseload when it ends inside that month and
    another seat follows (a move out of a caseload seat); else ``None``."""
    first, last = _month_end(month).replace(day=1), _month_end(month)
    for start, end, _ in seats:
        if end is not None and first <= end < last and any(s == end + DAY for s, _, _ in seats):
            return end
    return None


def write_visits(bundle: Path, path: Path, *, seed: int = 1) -> tuple[Path, dict, dict]:
    """Write the visits; returns the path, the mapping that reads them and what the import must give back.

    The truth holds ``caseload`` and ``hours`` (by clinician and month), ``supervision`` (sessions),
    ``episodes`` (client, clinician, first visit, last visit or "" when open), ``clients``, ``rows``, ``end``
    and ``unreachable``: cut-short months whose count the 28-day window cannot give exactly (a client of the
    month before seen too late to drop out; expected empty).
    """
    rng = np.random.default_rng(seed)
    end = dt.date.fromisoformat(tomllib.loads((bundle / "orgraph.toml").read_text())["data"]["end"])
    staff = {r["staff_id"]: r for r in _rows(bundle / "staff.csv")}
    seats = defaultdict(list)
    for a in _rows(bundle / "assignments.csv"):
        seats[a["staff_id"]].append((dt.date.fromisoformat(a["start_date"]),
                                     dt.date.fromisoformat(a["end_date"]) if a["end_date"] else None,
                                     a["position_id"]))
    docs = {(r["staff_id"], r["month"]): r for r in _rows(bundle / "documentation.csv")}
    by_staff = defaultdict(list)
    for r in _rows(bundle / "caseload.csv"):
        by_staff[r["staff_id"]].append((r["month"], int(r["active_clients"])))
    out, caseload, hours, visits, unreachable = [], {}, {}, defaultdict(list), []
    n_clients = 0
    for sid, months in sorted(by_staff.items()):
        months.sort()
        hire = dt.date.fromisoformat(staff[sid]["hire_date"])
        term = staff[sid]["termination_date"]
        last = min(dt.date.fromisoformat(term), end) if term else end
        moved = _seat_end(seats[sid], months[-1][0])
        refs = [min(_month_end(m), last, moved if moved and i == len(months) - 1 else last)
                for i, (m, _) in enumerate(months)]
        plan = []                                     # (month, ref, lo, clients)
        current: list[str] = []
        for (month, k), ref in zip(months, refs):
            lo = max(_month_end(month).replace(day=1), ref - 27 * DAY, hire)
            caseload[(sid, month)] = k
            while len(current) < k:
                n_clients += 1
                current.append(f"MRN{n_clients:06d}")
            current = current[:k]
            plan.append((month, ref, lo, list(current)))
        for i, (month, ref, lo, clients) in enumerate(plan):
            k = len(clients)
            if not k:
                continue
            nxt = plan[i + 1] if i + 1 < len(plan) else None
            # a client who does not continue into a cut-short next month is seen by its ref - 28 days
            latest_drop = ref
            if nxt is not None and nxt[1] < _month_end(nxt[0]):
                latest_drop = min(ref, nxt[1] - 28 * DAY)
            stays = set(nxt[3]) if nxt is not None else set()
            d = docs[(sid, month)]
            session = _split(round(float(d["session_hours"]) * 60), k)
            note = _split(round(float(d["documentation_hours"]) * 60), k)
            hours[(sid, month)] = (float(d["session_hours"]), float(d["documentation_hours"]))
            for client, mins, nmin in zip(clients, session, note):
                hi = ref if client in stays else latest_drop
                if hi < lo:
                    unreachable.append((sid, nxt[0]))
                    hi = ref
                day = lo + int(rng.integers(0, (hi - lo).days + 1)) * DAY
                out.append(visit_row(sid, client, day, mins, nmin, rng))
                visits[(sid, client)].append(day)
    sup = supervision_rows(bundle, out)
    write_shuffled(path, out, rng)
    episodes = set()
    for (sid, client), days in visits.items():
        term = staff[sid]["termination_date"]
        moved = _seat_end(seats[sid], by_staff[sid][-1][0])
        still = (not term or dt.date.fromisoformat(term) > end) and (moved is None or moved > end)
        first, last_visit = min(days), max(days)
        open_ = still and (end - last_visit).days <= 90
        episodes.add((client, sid, first.isoformat(), "" if open_ else last_visit.isoformat()))
    mapping = {**MAPPING, "services": {**MAPPING["services"], "end_date": end.isoformat()}}
    return path, mapping, {"caseload": caseload, "hours": hours, "supervision": sorted(sup), "episodes": episodes,
                           "clients": n_clients, "end": end, "rows": len(out), "unreachable": sorted(set(unreachable))}
