"""Job histories: one row per event (hire, transfer, promotion, manager change, termination).

Each person's events are taken in date order (rows with the same date in file
order). Every event closes the person's current interval on the day before its
effective date and opens the next one with the event's values; blank cells
mean "unchanged", so a manager-change row need not repeat the department. A
termination closes the last interval on its effective date, which is taken as
the last day worked (``[events] termination_date = "day_after"`` when the
export gives the first day no longer employed). A hire after a termination
starts a new employment spell, stored as its own staff record ``<id>-2``
(``-3``, ...): the bundle holds one employment spell per staff record.

Without an ``event_type`` column each row is a change, the first one the hire;
a ``termination_date`` column then ends the spell.

Consecutive intervals with the same seat make one assignment; consecutive
intervals with the same manager make one reporting line (then clipped to the
manager's employment, see :mod:`.build`).

Rejection rules: ``malformed-row``, ``blank-row``, ``missing-staff-id``,
``missing-effective-date``, ``bad-date``, ``missing-event-type``,
``unknown-event-type``, ``termination-without-hire``, ``event-after-termination``,
``hire-while-employed``, ``termination-before-last-event``. Merged: ``no-change``
(a change event that changes nothing), ``duplicate-event``, ``open-end-date`` (a
termination dated in year 2900 or later, such as 9999-12-31: the usual HR value
for "no end", so no termination).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..schema import OPEN_END_YEAR
from .build import AStint, SStint
from .mapping import Mapping
from .rows import Fields, Ledger, Person, RowError
from .source import SourceTable

__all__ = ["read_job_history"]

ONE_DAY = dt.timedelta(days=1)


def _state(row: list, f: Fields, prev: dict | None) -> dict:
    prev = prev or {}
    title = f.title(row) or prev.get("title") or f.m.defaults["title"]
    program = f.program(row) or prev.get("program") or f.default_program()
    position = f.text(row, "position_id") or prev.get("position", "")
    mid, mname = f.text(row, "manager_id"), f.text(row, "manager_name")
    if mid:
        mgr = ("id", mid, mname)
    elif mname:
        mgr = ("name", mname, mname)
    else:
        mgr = prev.get("manager")
    return {"title": title, "program": program, "position": position, "manager": mgr}


class _Spell:
    def __init__(self, person: Person, start: dt.date, state: dict, line: int):
        self.person = person
        self.intervals: list[tuple[dt.date, dt.date | None, dict, int]] = []
        self.cur_start, self.state, self.cur_line = start, state, line
        self.term_col: tuple[dt.date, list, int] | None = None

    def change(self, eff: dt.date, state: dict, line: int) -> None:
        if eff > self.cur_start:
            self.intervals.append((self.cur_start, eff - ONE_DAY, self.state, self.cur_line))
            self.cur_start = eff
        self.state, self.cur_line = state, line

    def close(self, end: dt.date | None) -> None:
        self.intervals.append((self.cur_start, end, self.state, self.cur_line))


def _update_person(p: Person, row: list, line: int, f: Fields) -> None:
    name, index_name = f.name(row)
    if name:
        p.name, p.index_name = name, index_name
    title = f.title(row)
    if f.has("discipline") and f.text(row, "discipline") or (not f.has("discipline") and title):
        p.discipline = f.discipline(row, title)
    for fld, attr in (("fte", "fte"), ("annual_salary", "salary")):
        v = f.number(row, fld, line)
        if v is not None:
            setattr(p, attr, v)
    lic = f.text(row, "license")
    if lic:
        p.license = lic


def read_job_history(table: SourceTable, mapping: Mapping, fields: Fields, ledger: Ledger):
    """People (one per employment spell), job stints and reporting lines of a job history."""
    f = fields
    events: dict[str, list] = defaultdict(list)
    has_events = f.has("event_type")
    for row, line in zip(table.rows, table.lines):
        try:
            sid = f.required(row, "staff_id")
            eff = f.required(row, "effective_date", date=True)
            label, kind = "", None
            if has_events:
                label = f.text(row, "event_type")
                if not label:
                    raise RowError("missing-event-type", f"no event in column {mapping.columns['event_type']!r}")
                kind = mapping.event_kind(label)
                if kind is None:
                    raise RowError("unknown-event-type",
                                   f"event {label!r} is not known; add it under [maps.event] as one of hire, "
                                   "transfer, promotion, manager_change, change, termination")
        except RowError as exc:
            ledger.rejected(line, exc.rule, str(exc), f.raw(row))
            continue
        events[sid].append((eff, line, kind, label, row))

    people: dict[str, Person] = {}
    spells: list[_Spell] = []
    for sid, evs in events.items():
        evs.sort(key=lambda e: (e[0], e[1]))
        spell: _Spell | None = None
        last_term: dt.date | None = None
        n_spells = 0
        for eff, line, kind, label, row in evs:
            label = label or kind or "change"
            reject = lambda rule, msg: ledger.rejected(line, rule, msg, f.raw(row))  # noqa: E731
            if kind is None:
                kind = "hire" if spell is None and n_spells == 0 else "change"
            if spell is None:
                if kind == "termination":
                    why = (f"already terminated on {last_term.isoformat()}" if last_term
                           else "no hire or other event before it")
                    reject("termination-without-hire", f"termination on {eff.isoformat()} but {why}")
                    continue
                if last_term is not None and kind != "hire":
                    reject("event-after-termination",
                           f"{label!r} on {eff.isoformat()} comes after the termination on {last_term.isoformat()}; "
                           "a return to work needs a hire (rehire) event")
                    continue
                if last_term is None and kind != "hire":
                    ledger.warn(f"line {line}: the first event of staff {sid} is {label!r} on {eff.isoformat()}; "
                                "taken as the start of employment")
                n_spells += 1
                pid = sid if n_spells == 1 else f"{sid}-{n_spells}"
                hire = eff
                if n_spells == 1 and f.has("hire_date"):
                    try:
                        hd = f.date(row, "hire_date")
                    except RowError as exc:
                        ledger.warn(f"line {line}: {exc}; the first event's date is used as the hire date")
                        hd = None
                    if hd is not None and hd < eff:
                        hire = hd
                person = Person(staff_id=pid, name=sid, index_name="", hire=hire, base_id=sid, line=line,
                                discipline=mapping.defaults["discipline"])
                _update_person(person, row, line, f)
                spell = _Spell(person, eff, _state(row, f, None), line)
                if n_spells > 1:
                    ledger.notes.append(f"staff {sid} was rehired on {eff.isoformat()}; the new spell is "
                                        f"staff record {pid}")
                ledger.imported(line)
                _term_col(spell, row, line, f)
                continue
            if kind == "hire":
                if eff == spell.cur_start and _state(row, f, spell.state) == spell.state:
                    ledger.merged(line, "duplicate-event", f"repeats the hire on line {spell.cur_line}")
                else:
                    reject("hire-while-employed",
                           f"hire on {eff.isoformat()} but staff {sid} is employed since "
                           f"{spell.person.hire.isoformat()} with no termination in between")
                continue
            if kind == "termination" and eff.year >= OPEN_END_YEAR:
                f.open_end(eff)
                ledger.merged(line, "open-end-date", f"termination effective {eff.isoformat()} is the usual HR "
                              "value for 'no end'; not a termination")
                continue
            if kind == "termination":
                term = eff if mapping.termination_day == "last_day" else eff - ONE_DAY
                if term < spell.cur_start:
                    reject("termination-before-last-event",
                           f"termination effective {eff.isoformat()} ends employment before the event of "
                           f"{spell.cur_start.isoformat()} (line {spell.cur_line})")
                    continue
                _update_person(spell.person, row, line, f)
                spell.close(term)
                spell.person.term = term
                spell.person.term_type, spell.person.term_reason = f.termination(row, fallback=label)
                _finish(spell, people, spells)
                last_term, spell = term, None
                ledger.imported(line)
                continue
            new = _state(row, f, spell.state)
            _update_person(spell.person, row, line, f)
            _term_col(spell, row, line, f)
            if new == spell.state:
                ledger.merged(line, "no-change", f"{label!r} changes nothing since line {spell.cur_line}")
                continue
            spell.change(eff, new, line)
            ledger.imported(line)
        if spell is not None:
            end = None
            if spell.term_col is not None:
                tdate, trow, tline = spell.term_col
                if tdate >= spell.cur_start:
                    end = tdate
                    spell.person.term = tdate
                    spell.person.term_type, spell.person.term_reason = f.termination(trow)
                else:
                    ledger.warn(f"line {tline}: termination date {tdate.isoformat()} of staff {sid} is before "
                                f"their event of {spell.cur_start.isoformat()}; ignored")
            spell.close(end)
            _finish(spell, people, spells)

    stints: list[AStint] = []
    sups: list[SStint] = []
    for sp in spells:
        p = sp.person
        prev_a = prev_s = None
        no_mgr_reported = False
        for start, end, st, line in sp.intervals:
            if end is not None and end < start:
                continue
            key = (st["program"], st["title"], st["position"])
            if prev_a is not None and prev_a[0] == key:
                prev_a[1].end = end
            else:
                a = AStint(p.staff_id, st["program"], st["title"], st["position"], start, end, line)
                stints.append(a)
                prev_a = (key, a)
            mgr = st["manager"]
            if mgr is None:
                prev_s = None
                if not no_mgr_reported and (f.has("manager_id") or f.has("manager_name")):
                    ledger.manager_case("missing", lambda: {"line": line, "staff_id": p.staff_id, "name": p.name})
                    no_mgr_reported = True
                continue
            if prev_s is not None and prev_s[0] == mgr:
                prev_s[1].end = end
            else:
                s = SStint(p.staff_id, mgr[0], mgr[1], mgr[2], start, end, line)
                sups.append(s)
                prev_s = (mgr, s)
    return people, stints, sups


def _term_col(spell: _Spell, row: list, line: int, f: Fields) -> None:
    if not f.has("termination_date"):
        return
    try:
        t = f.date(row, "termination_date")
    except RowError as exc:
        f.ledger.warn(f"line {line}: {exc}; ignored")
        return
    if t is not None:
        spell.term_col = (t, row, line)


def _finish(spell: _Spell, people: dict, spells: list) -> None:
    people[spell.person.staff_id] = spell.person
    spells.append(spell)
