"""Turning people, job stints and reporting lines into bundle tables.

Shared by rosters and job histories:

* :func:`resolve_supervision` turns manager references (an id or a name) into
  dated supervision lines. Names are matched with :class:`~.names.NameIndex`;
  a name that matches several people is listed as ambiguous and gets no line;
  a manager who is not in the export becomes a staff record with
  ``external = true``. Every line is clipped to the manager's own employment:
  it starts no earlier than the manager's hire and ends no later than the
  manager's exit. A line left empty by clipping is reported, not guessed.
* :func:`allocate_seats` makes positions (seats). With a position id column the
  export's ids are the seats. Otherwise the ``sequence`` rule: seats are
  grouped by program and title; a new holder takes the lowest-numbered seat
  of the group that is vacant on their start day, else a new seat numbered
  one higher (``outpatient:therapist:3``). ``shared`` makes one seat per program
  and title with capacity = the most holders at once; ``per_person`` one seat
  per person and group.
"""
from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass

from .mapping import Mapping, slug
from .names import NameIndex, display_name
from .rows import Fields, Ledger, Person

__all__ = ["AStint", "SStint", "resolve_supervision", "allocate_seats", "peak_holders"]

ONE_DAY = dt.timedelta(days=1)
_FAR = dt.date.max


@dataclass
class AStint:
    """``staff_id`` held a job (program, title, optional export position id) from ``start`` to ``end``."""

    staff_id: str
    program_id: str
    title: str
    position_id: str
    start: dt.date
    end: dt.date | None
    line: int
    position: str = ""


@dataclass
class SStint:
    """``staff_id`` reported to a manager given by ``ref_kind`` (``"id"`` / ``"name"``) from ``start`` to ``end``."""

    staff_id: str
    ref_kind: str
    ref: str
    ref_name: str
    start: dt.date
    end: dt.date | None
    line: int


def _min_end(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class _People:
    def __init__(self, people: dict[str, Person], order: str):
        self.people = people
        self.by_base: dict[str, list[Person]] = defaultdict(list)
        self.names = NameIndex(order=order)
        for p in people.values():
            self.by_base[p.base_id or p.staff_id].append(p)
            if p.index_name:
                self.names.add(p.base_id or p.staff_id, p.index_name)
        for spells in self.by_base.values():
            spells.sort(key=lambda p: p.hire)

    def spell(self, base: str, on: dt.date) -> Person | None:
        """The employment spell of person ``base`` that covers (or last started before) ``on``."""
        spells = self.by_base.get(base)
        if not spells:
            return None
        best = spells[0]
        for p in spells:
            if p.hire <= on:
                best = p
                if p.term is None or p.term >= on:
                    return p
        return best


def resolve_supervision(people: dict[str, Person], stints: list[SStint], mapping: Mapping,
                        ledger: Ledger, *, external_discipline: str = "external") -> list[dict]:
    """Supervision rows for the bundle; adds external managers to ``people``.

    Fills ``ledger.managers`` with the lists the summary shows: ``external``,
    ``ambiguous``, ``loose`` (matched ignoring initials or order), ``ignored``,
    ``self``, ``no_overlap`` and ``clipped``.
    """
    ix = _People(people, mapping.name_order)
    ignore = {" ".join(n.split()).casefold() for n in mapping.ignore_managers}
    lookups: dict[str, object] = {}
    externals: dict[str, Person] = {}
    ext_first: dict[str, dt.date] = {}
    resolved: list[tuple[SStint, str | None]] = []  # (stint, base id or external id)
    lists = ledger.managers
    ambiguous_seen, loose_seen = set(), set()
    for s in stints:
        if s.ref_kind == "id":
            if s.ref in ix.by_base:
                resolved.append((s, s.ref))
                continue
            ext_id = s.ref
            ext_name = display_name(s.ref_name) if s.ref_name else f"Manager {s.ref} (not in the export)"
        else:
            key = " ".join(s.ref.split()).casefold()
            if key in ignore:
                ledger.manager_case("ignored", lambda: {"line": s.line, "staff_id": s.staff_id, "manager": s.ref})
                continue
            m = lookups.get(key)
            if m is None:
                m = lookups[key] = ix.names.lookup(s.ref)
            if m.ambiguous:
                if key not in ambiguous_seen:
                    ambiguous_seen.add(key)
                    ledger.manager_case("ambiguous", lambda: {"manager": s.ref, "matches": list(m.ids), "rule": m.rule},
                                        cap=None)
                ledger.counters["lines-ambiguous-manager"] += 1
                continue
            if m.unique:
                if m.rule != "full" and key not in loose_seen:
                    loose_seen.add(key)
                    p = ix.by_base[m.ids[0]][0]
                    ledger.manager_case("loose", lambda: {"manager": s.ref, "staff_id": m.ids[0],
                                                          "name": p.name, "rule": m.rule}, cap=None)
                resolved.append((s, m.ids[0]))
                continue
            ext_id = "ext-" + slug(s.ref)
            ext_name = display_name(s.ref)
        if ext_id not in externals:
            externals[ext_id] = Person(staff_id=ext_id, name=ext_name, index_name="", hire=s.start,
                                       discipline=external_discipline, external=True, base_id=ext_id)
            ledger.manager_case("external", lambda: {"staff_id": ext_id, "name": ext_name, "first_line": s.line},
                                cap=None)
        ext_first[ext_id] = min(ext_first.get(ext_id, s.start), s.start)
        resolved.append((s, ext_id))
    for ext_id, p in externals.items():
        p.hire = ext_first[ext_id]
        people[ext_id] = p
        ix.by_base[ext_id] = [p]
    for e in lists["external"]:
        e["supervisees"] = 0
    ext_count = defaultdict(int)
    # clip to the manager's employment and merge touching pieces
    pieces: dict[tuple[str, str], list[list]] = defaultdict(list)
    for s, base in resolved:
        mgr = ix.spell(base, s.start)
        if mgr.staff_id == s.staff_id or (people[s.staff_id].base_id or s.staff_id) == base:
            ledger.manager_case("self", lambda: {"line": s.line, "staff_id": s.staff_id,
                                                  "manager": s.ref_name or s.ref})
            continue
        start = max(s.start, mgr.hire)
        end = _min_end(s.end, mgr.term)
        if end is not None and end < start:
            ledger.manager_case("no_overlap", lambda: {
                "line": s.line, "staff_id": s.staff_id, "manager_id": mgr.staff_id, "manager": mgr.name,
                "employee_from": s.start.isoformat(), "employee_to": s.end.isoformat() if s.end else "",
                "manager_from": mgr.hire.isoformat(), "manager_to": mgr.term.isoformat() if mgr.term else ""})
            continue
        if start != s.start or end != s.end:
            ledger.manager_case("clipped", lambda: {"line": s.line, "staff_id": s.staff_id,
                                                    "manager_id": mgr.staff_id, "start": start.isoformat(),
                                                    "end": end.isoformat() if end else ""})
        if mgr.external:
            ext_count[mgr.staff_id] += 1
        segs = pieces[(s.staff_id, mgr.staff_id)]
        if segs and segs[-1][1] is not None and segs[-1][1] + ONE_DAY >= start:
            segs[-1][1] = None if end is None else max(segs[-1][1], end)
        else:
            segs.append([start, end])
    for e in lists["external"]:
        e["supervisees"] = ext_count.get(e["staff_id"], 0)
    out = []
    for (sid, mid), segs in pieces.items():
        for start, end in segs:
            out.append({"staff_id": sid, "supervisor_id": mid, "start_date": start, "end_date": end})
    out.sort(key=lambda r: (r["staff_id"], r["start_date"]))
    return out


def peak_holders(intervals) -> int:
    """The most intervals holding on one day (inclusive ends, ``None`` = open).

    Examples
    --------
    >>> d = dt.date
    >>> peak_holders([(d(2020, 1, 1), d(2020, 1, 31)), (d(2020, 1, 31), None), (d(2020, 2, 1), None)])
    2
    """
    ev = []
    for start, end in intervals:
        ev.append((start, 1))
        if end is not None:
            ev.append((end + ONE_DAY, -1))
    ev.sort(key=lambda e: (e[0], e[1]))
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def allocate_seats(stints: list[AStint], fields: Fields, mapping: Mapping, ledger: Ledger) -> list[dict]:
    """Set ``stint.position`` for every stint and return the positions table rows.

    A seat from the export's position id has ``inferred = False``; a seat made by the ``[seats] rule`` has
    ``inferred = True`` (who shared it is a guess, so no vacancy is measured on it downstream).
    """
    positions: dict[str, dict] = {}
    groups: dict[tuple[str, str], list[AStint]] = defaultdict(list)
    by_pos: dict[str, list[AStint]] = defaultdict(list)
    for s in stints:
        if s.position_id:
            by_pos[s.position_id].append(s)
        else:
            groups[(s.program_id, s.title)].append(s)
    # export position ids: the export's seats
    for pid, ss in by_pos.items():
        for s in ss:
            s.position = pid
        first = min(ss, key=lambda s: (s.start, s.line))
        progs = {s.program_id for s in ss}
        if len(progs) > 1:
            ledger.warn(f"position {pid!r} appears in programs {', '.join(sorted(progs))}; "
                        f"kept in {first.program_id!r} (its first holder's)")
        cap = peak_holders([(s.start, s.end) for s in ss])
        if cap > 1:
            ledger.warn(f"position {pid!r} has up to {cap} holders at once; capacity set to {cap}. If the export's "
                        "position ids are job codes rather than seats, remove position_id from [columns]")
        positions[pid] = {"position_id": pid, "title": first.title, "program_id": first.program_id,
                          "role_kind": fields.role_kind(first.title), "capacity": max(cap, 1), "inferred": False}
    rule = mapping.seat_rule
    for (prog, title), ss in groups.items():
        base = f"{prog}:{slug(title)}"
        rk = None
        if rule == "shared":
            cap = peak_holders([(s.start, s.end) for s in ss])
            for s in ss:
                s.position = base
            rk = fields.role_kind(title)
            positions[base] = {"position_id": base, "title": title, "program_id": prog, "role_kind": rk,
                               "capacity": max(cap, 1), "inferred": True}
            continue
        if rule == "per_person":
            seen: dict[str, int] = {}
            for s in ss:
                if s.staff_id not in seen:
                    seen[s.staff_id] = len(seen) + 1
                s.position = f"{base}:{s.staff_id}"
                if s.position not in positions:
                    rk = rk or fields.role_kind(title)
                    positions[s.position] = {"position_id": s.position, "title": title, "program_id": prog,
                                             "role_kind": rk, "capacity": 1, "inferred": True}
            continue
        # sequence rule
        ss.sort(key=lambda s: (s.start, s.line))
        busy: list[tuple[dt.date, int]] = []  # (last day held, seat number)
        free: list[int] = []
        n = 0
        for s in ss:
            while busy and busy[0][0] < s.start:
                heapq.heappush(free, heapq.heappop(busy)[1])
            if free:
                k = heapq.heappop(free)
            else:
                n += 1
                k = n
                rk = rk or fields.role_kind(title)
                pid = f"{base}:{k}"
                positions[pid] = {"position_id": pid, "title": title, "program_id": prog, "role_kind": rk,
                                  "capacity": 1, "inferred": True}
            s.position = f"{base}:{k}"
            heapq.heappush(busy, (s.end or _FAR, k))
    return list(positions.values())
