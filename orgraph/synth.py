"""Synthetic behavioral health orgs with planted, recorded truth.

:func:`generate` simulates an org seat by seat (directors over supervisors
over clinicians, plus program coordinators) and writes a complete bundle --
every required and optional file of the bundle format -- together with
``truth.json``, which records what was planted: supervisor-exit cascades
(one of them nested), overloaded supervisors, churn seats, a program whose
caseloads break and a program whose documentation takes as long as the
sessions. ``docs/synthetic.md`` describes the model and the ``truth.json``
keys.

Three options make calibration orgs: ``null=True`` plants nothing (for
counting false positives), ``tenure_shape`` sets the Weibull shape of
tenures (0.6 concentrates leaving in the first months, as in real clinician
turnover) and ``export_from`` writes an export that starts mid-history
without saying where (``orgraph.toml`` has no ``[data] start``).

The simulation is vectorised: holder tenures of all seats of one level of the
org chart are drawn together (Weibull tenures on a clock that runs faster in
months with a higher hazard), monthly tables are built with numpy and CSV
files are written by a byte-matrix writer, so 50,000 staff over 10 years
take well under a minute. The same arguments give the same bytes.

Examples
--------
>>> truth = generate(staff=40, years=3, seed=1)
>>> truth["generator"]["end"], truth["counts"]["seats"] >= 40
('2025-12-31', True)
>>> sorted(k for k in truth if k.endswith("program"))
['caseload_program', 'documentation_program']
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Callable

import numpy as np

from .columnar import csv_to_parquet
from .errors import ConfigError, SourceError
from .schema import FILES

__all__ = ["generate", "TRUTH_VERSION", "FILES_WRITTEN", "PARQUET_FILES_WRITTEN", "STEPS"]

#: Version of the ``truth.json`` layout (bumped when keys change).
TRUTH_VERSION = 1

#: Files :func:`generate` writes into ``out``.
FILES_WRITTEN = ("staff.csv", "programs.csv", "positions.csv", "assignments.csv", "supervision.csv",
                 "caseload.csv", "documentation.csv", "supervision_sessions.csv", "client_assignments.csv",
                 "orgraph.toml", "truth.json")
#: Files :func:`generate` writes into ``out`` with ``parquet=True``.
PARQUET_FILES_WRITTEN = tuple(f.replace(".csv", ".parquet") for f in FILES_WRITTEN)

# ----------------------------------------------------------------- the model
#: code, name, service line, share of staff, budgeted caseload centre, mean client episode (months), clinician title
PROGRAM_TYPES = (
    ("OP", "Outpatient", "outpatient", 0.30, 32, 18, "Outpatient Therapist"),
    ("IOP", "Intensive Outpatient", "intensive outpatient", 0.15, 29, 5, "IOP Therapist"),
    ("RES", "Residential", "residential", 0.17, 27, 6, "Residential Counselor"),
    ("CRS", "Crisis Services", "crisis", 0.12, 27, 5, "Crisis Clinician"),
    ("SCH", "School-Based Services", "school-based", 0.14, 29, 10, "School-Based Therapist"),
    ("ACT", "Assertive Community Treatment", "ACT", 0.12, 27, 30, "ACT Team Clinician"),
)
#: Base annual exit hazard by role kind, before any planted multiplier.
BASE_HAZARD = {"clinician": 0.27, "supervisor": 0.19, "director": 0.14, "admin": 0.22}
WEIBULL_SHAPE = 0.9                  # < 1: the first months in a seat are the riskiest
CASELOAD_REFERENCE = 30.0            # clients; hazard multiplier is 1 here
CASELOAD_MULT_PER_10 = 1.5           # exit hazard x1.5 per +10 active clients (x0.67 per -10)
CHURN_MULT = 8.0                     # whoever holds a churn seat
CHURN_SHAPE = 3.0                    # churn seat tenures are short *and* regular (about five months)
CHURN_MIN_EXITS = 5                  # a planted churn seat is recorded as realised with this many exits
OVERLOAD_SUPERVISEE_MULT = 3.0       # clinicians reporting to an overloaded supervisor
OVERLOAD_SELF_MULT = 0.4             # the overloaded supervisor herself rarely leaves
DOC_MULT = 2.0                       # clinicians of the documentation program, once burden starts
CASCADE_WINDOW = 180                 # days after a supervisor exit that define a cascade
CASCADE_DELAY = (20, 150)            # planted cohort exits happen this many days after the exit
GAPS = {"clinician": (20, 90), "churn": (14, 45), "supervisor": (30, 100), "director": (45, 120),
        "admin": (20, 60)}
PROMOTION_P = {"supervisor": 0.3, "director": 0.4}   # refills filled from the level below
SPAN = 6.5                           # mean clinicians per supervisor seat (spans 4-8)
PROGRAM_SIZE = 60                    # staff per program unit before a second unit of that type opens
SESSION_MINUTES = np.array([60, 90, 120])
SESSION_MINUTES_P = np.array([0.2, 0.4, 0.4])

_FIRST = ("Aaliyah Aaron Abigail Adrian Aisha Alejandro Alex Alicia Amara Amir Ana Andre Angela Anjali Antonio "
          "Ava Beatriz Ben Bianca Brandon Brianna Caleb Camila Carlos Carmen Chen Chloe Daniel Danielle Darius "
          "David Deborah Deja Diego Dmitri Elena Eli Elijah Emily Emma Erin Esther Ethan Fatima Felix Gabriel "
          "Grace Hana Hannah Hector Imani Isaac Isabel Jacob Jamal Jasmine Javier Jennifer Jessica Joanna Jordan "
          "Jose Joy Julia Kai Karen Keisha Kenji Kevin Kim Laura Layla Leah Leon Liam Lin Lucia Luis Maya Malik "
          "Maria Marcus Mei Michael Miguel Mohammed Nadia Naomi Nia Noah Nora Olivia Omar Patricia Priya Rachel "
          "Rafael Rashid Rebecca Riley Rosa Ruth Samuel Sara Sean Sofia Tamika Theo Tomas Valeria Victor Wei "
          "Yusuf Zara Zoe").split()
_LAST = ("Abbott Acosta Adams Aguilar Ahmed Ali Alvarez Anderson Baker Banks Barnes Bell Bennett Brooks Brown "
         "Bui Campbell Carter Castillo Chang Chavez Chen Clark Collins Cooper Cruz Davis Diaz Dubois Edwards "
         "Evans Fischer Flores Foster Garcia Gomez Gonzalez Gordon Green Gupta Hall Harris Hernandez Hill "
         "Hoang Howard Hughes Ibrahim Jackson James Jenkins Johnson Jones Kaur Kelly Khan Kim King Kowalski "
         "Lee Lewis Lopez Martin Martinez Mendoza Miller Mitchell Moore Morales Morgan Murphy Nguyen Novak "
         "O'Brien O'Connor Okafor Ortiz Owens Park Patel Perez Peterson Phillips Price Ramirez Ramos Reed "
         "Reyes Rivera Roberts Robinson Rodriguez Ross Russell Sanchez Santos Schmidt Scott Shah Silva Singh "
         "Smith Stewart Sullivan Tanaka Taylor Thomas Thompson Torres Tran Turner Vargas Walker Ward Washington "
         "Watson White Williams Wilson Wong Wright Yang Young Zhang").split()
#: discipline, license, share -- for clinicians; supervisors and directors draw from the licensed ones
_DISCIPLINES = (("Social Work", "LCSW", 0.24), ("Social Work", "LMSW", 0.12), ("Counseling", "LPC", 0.2),
                ("Counseling", "LPC-Associate", 0.08), ("Marriage and Family Therapy", "LMFT", 0.1),
                ("Psychology", "Licensed Psychologist", 0.04), ("Nursing", "RN", 0.05),
                ("Addiction Counseling", "CADC", 0.07), ("Case Management", "", 0.06),
                ("Peer Support", "Certified Peer Specialist", 0.04))
_SALARY = {"clinician": (50000, 72000), "supervisor": (70000, 90000), "director": (92000, 135000),
           "admin": (40000, 54000)}
_TERMINATION = (("voluntary", 0.76), ("involuntary", 0.12), ("retirement", 0.04), ("other", 0.08))
_REASONS = {
    "voluntary": ("Took a position with another agency", "Higher pay elsewhere", "Relocation",
                  "Returned to school", "Family or personal reasons", "Burnout or workload",
                  "Career change", "Schedule or commute"),
    "involuntary": ("Performance", "Attendance", "Policy violation", "Did not maintain licensure"),
    "retirement": ("Retirement",),
    "other": ("End of grant funding", "Did not return from leave", "Job abandonment"),
}
_BURNOUT = 5          # index of "Burnout or workload" in the voluntary reasons
_SUPERVISOR_REASON = "Left after a change of supervisor"


# ------------------------------------------------------------- entry point
def generate(*, staff: int = 150, years: int = 4, seed: int = 7, out=None, start=None, force: bool = False,
             null: bool = False, tenure_shape: float | None = None, export_from=None,
             progress: Callable[[str], None] | None = None, parquet: bool = False) -> dict:
    """Simulate an org and (if ``out`` is given) write its bundle and ``truth.json``.

    Parameters
    ----------
    staff : int
        Steady-state headcount: about this many seats are filled on a typical
        day (people ever employed will be more). At least 10.
    years : int
        Length of the simulated period (1 to 30). Cascades are planted only
        when the period is at least two years long.
    seed : int
        Random seed; the same arguments give byte-identical files.
    out : path, optional
        Folder to write. It must be empty or absent unless ``force``.
    start : date or ISO string, optional
        First simulated day. Default: 1 January of ``2026 - years``, so the
        period ends on 2025-12-31.
    force : bool
        Write into a non-empty ``out`` (files of the same name are replaced).
    null : bool
        Plant nothing: no cascades, overloaded supervisors, churn seats,
        caseload or documentation program, and caseload has no effect on
        leaving. For measuring false positives.
    tenure_shape : float, optional
        Weibull shape of holder tenures (0.2 to 5). Default: 0.9. The base
        hazards are rescaled so the mean tenure stays what it is at 0.9;
        below 1, leaving is concentrated in the first months of a tenure.
    export_from : date or ISO string, optional
        Write only what an export starting on this day would hold: nobody who
        left before it, monthly tables and supervision sessions from its month
        on, and no ``[data] start`` in ``orgraph.toml``. After ``start`` and
        before the last day.
    progress : callable, optional
        Called with the name of each step as it starts (for progress bars).
    parquet : bool
        Write the data files as Parquet (``staff.parquet`` ...; dates as dates, numbers as numbers)
        instead of CSV.

    Returns
    -------
    dict
        The truth record (what ``truth.json`` holds).

    Raises
    ------
    ConfigError
        If ``staff``, ``years``, ``start``, ``tenure_shape`` or
        ``export_from`` are out of range.
    SourceError
        If ``out`` exists and is not an empty folder (and ``force`` is false).

    Examples
    --------
    >>> t = generate(staff=40, years=3, seed=1, null=True, export_from="2024-01-01")
    >>> t["null"], t["cascades"], t["churn_seats"], t["window"]["start"]
    (True, [], [], '2024-01-01')
    """
    staff, years, start_date = _check_args(staff, years, start)
    shape, export_day = _check_options(start_date, years, tenure_shape, export_from)
    out_path = None if out is None else Path(out)
    if out_path is not None:
        _check_out(out_path, force)
    step = progress or (lambda name: None)
    sim = _Sim(staff=staff, years=years, seed=seed, start=start_date, null=bool(null), tenure_shape=shape)
    step("building the org chart")
    sim.build_structure()
    step("planting patterns")
    sim.plant()
    step("simulating tenures")
    sim.simulate()
    step("assigning people")
    sim.people()
    step("building supervision")
    sim.supervision()
    step("building monthly tables")
    sim.monthly()
    step("building supervision sessions and client episodes")
    sim.sessions()
    sim.clients()
    if export_day is not None:
        sim.export(export_day)
    step("recording truth")
    truth = sim.truth()
    if out_path is not None:
        step("writing files")
        sim.write(out_path, truth)
        if parquet:
            for spec in FILES.values():
                csv_to_parquet(out_path / spec.filename, spec)
    return truth


#: The steps ``progress`` is called with, in order (for a progress bar's length).
STEPS = 9


def _check_args(staff, years, start):
    if isinstance(staff, bool) or not isinstance(staff, int) or staff < 10:
        raise ConfigError(f"--staff must be a whole number of at least 10 (got {staff!r})")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 30:
        raise ConfigError(f"--years must be a whole number from 1 to 30 (got {years!r})")
    start_date = dt.date(2026 - years, 1, 1) if start is None else _option_date(start, "--start")
    return staff, years, start_date


def _option_date(value, option: str) -> dt.date:
    """A date option given as a date or ``YYYY-MM-DD`` text; a clean error naming ``option`` otherwise."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date; expected YYYY-MM-DD") from None


def _check_options(start: dt.date, years: int, tenure_shape, export_from):
    """Check the calibration options; return the tenure shape and the export's first day (days after start)."""
    shape = None
    if tenure_shape is not None:
        ok = isinstance(tenure_shape, (int, float)) and not isinstance(tenure_shape, bool)
        if not ok or not 0.2 <= tenure_shape <= 5:
            raise ConfigError(f"--tenure-shape must be a number from 0.2 to 5 (got {tenure_shape!r})")
        shape = float(tenure_shape)
    if export_from is None:
        return shape, None
    day = _option_date(export_from, "--export-from")
    end = _add_years(start, years) - dt.timedelta(days=1)
    if not start < day < end:
        raise ConfigError(f"--export-from {day.isoformat()} must be after the first simulated day "
                          f"{start.isoformat()} and before the last {end.isoformat()}")
    return shape, (day - start).days


def _check_out(path: Path, force: bool) -> None:
    if path.exists() and not path.is_dir():
        raise SourceError(f"{path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise SourceError(f"{path} is not empty; choose an empty folder or pass --force to overwrite its files")


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:           # 29 February
        return d.replace(year=d.year + n, day=28)


# ------------------------------------------------------------ the simulator
class _Sim:
    """All state of one simulation; each method is one step of :func:`generate`."""

    def __init__(self, *, staff, years, seed, start, null=False, tenure_shape=None):
        self.n_staff, self.years, self.seed = staff, years, seed
        self.null = null                      # plant nothing
        self.tenure_shape = tenure_shape      # None: WEIBULL_SHAPE, and today's random streams
        self.shape = WEIBULL_SHAPE if tenure_shape is None else tenure_shape
        self.w0 = 0                           # first day of the export (export_from), days after start
        self.export_from = None
        self.rng = np.random.default_rng(seed)
        self.start = start
        self.end = _add_years(start, years) - dt.timedelta(days=1)
        self.D = (self.end - start).days + 1
        firsts = []
        m = start.replace(day=1)
        while m <= self.end:
            firsts.append(m)
            m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        self.month_first = firsts
        self.nm = len(firsts)
        b = [0] + [(f - start).days for f in firsts[1:]] + [self.D]
        self.bounds = np.array(b, dtype=np.int64)
        self.month_of_day = np.append(np.repeat(np.arange(self.nm), np.diff(self.bounds)), self.nm - 1)

    # ------------------------------------------------------------ structure
    def build_structure(self) -> None:
        rng = self.rng
        n = self.n_staff
        if n >= 80:
            types = PROGRAM_TYPES
        elif n >= 30:                          # OP, IOP, CRS, ACT
            types = tuple(PROGRAM_TYPES[i] for i in (0, 1, 3, 5))
        else:                                  # OP, CRS
            types = tuple(PROGRAM_TYPES[i] for i in (0, 3))
        wsum = sum(t[3] for t in types)
        target = n * 1.05                      # a few seats are vacant on any day
        self.programs = []                     # (id, name, service_line, type index)
        seats = []                             # dicts, converted to arrays below

        def seat(pid, title, prog, role, parent, budget=math.nan):
            seats.append({"id": pid, "title": title, "prog": prog, "role": role, "parent": parent,
                          "budget": budget})
            return len(seats) - 1

        self.unit_plan = []
        for ti, t in enumerate(types):
            share = target * t[3] / wsum
            units = max(1, round(share / PROGRAM_SIZE))
            for u in range(units):
                size = share / units
                self.unit_plan.append((ti, t, u, units, size))
        # about one overloaded supervisor per 300 clinicians, in the largest OP/SCH/IOP/RES programs
        n_clin_est = sum(round((max(size, 4) - 2) * SPAN / (SPAN + 1)) for *_, size in self.unit_plan)
        over_left = max(1, round(n_clin_est / 300)) if n >= 60 and not self.null else 0
        directors = []
        self.overloaded_seats = []
        over_units = set()
        for i in sorted(range(len(self.unit_plan)), key=lambda i: (-self.unit_plan[i][4], i)):
            big_enough = self.unit_plan[i][4] >= 30
            if over_left and big_enough and self.unit_plan[i][1][0] in ("OP", "SCH", "IOP", "RES"):
                over_units.add(i)
                over_left -= 1
        for i, (ti, t, u, units, size) in enumerate(self.unit_plan):
            code, name, line, _, cl_centre, _, ctitle = t
            pid = f"{code}{u + 1}" if units > 1 else code
            pname = f"{name} {u + 1}" if units > 1 else name
            prog = len(self.programs)
            self.programs.append((pid, pname, line, PROGRAM_TYPES.index(t)))
            size = max(4, int(round(size)))
            has_admin = size >= 8
            c = max(2, int(round((size - 1 - has_admin) * SPAN / (SPAN + 1))))
            d = seat(f"{pid}-DIR", "Program Director", prog, "director", -1)
            directors.append(d)
            if has_admin:
                seat(f"{pid}-ADM", "Program Coordinator", prog, "admin", d)
            spans = []
            if i in over_units:
                k = int(rng.integers(14, 21))
                k = min(k, c - 4)
                spans.append(k)
                rest = c - k
                n_rest = max(1, round(rest / SPAN))
                spans += [rest // n_rest + (j < rest % n_rest) for j in range(n_rest)]
            else:
                n_sup = max(1, round(c / SPAN))
                spans = [c // n_sup + (j < c % n_sup) for j in range(n_sup)]
            k_cl = 0
            for j, sp in enumerate(spans):
                s = seat(f"{pid}-SUP{j + 1}", "Clinical Supervisor", prog, "supervisor", d)
                if i in over_units and j == 0:
                    self.overloaded_seats.append(s)
                for _ in range(sp):
                    k_cl += 1
                    budget = float(np.clip(round(rng.normal(cl_centre, 2.0)), 25, 35))
                    seat(f"{pid}-CLN{k_cl:02d}", ctitle, prog, "clinician", s, budget)
        # executive tree over the program directors: groups of about six
        self.programs.append(("ADMIN", "Administration and Leadership", "administration", -1))
        admin_prog = len(self.programs) - 1
        level = directors
        depth_up = 0
        while True:
            depth_up += 1
            groups = max(1, math.ceil(len(level) / 6))
            if groups == 1:
                root = seat("ADMIN-CCO", "Chief Clinical Officer", admin_prog, "director", -1)
                for s in level:
                    seats[s]["parent"] = root
                break
            new = []
            for g in range(groups):
                s = seat(f"ADMIN-RD{depth_up}-{g + 1:03d}", "Regional Director", admin_prog, "director", -1)
                for x in level[g::groups]:
                    seats[x]["parent"] = s
                new.append(s)
            level = new
        self._seat_arrays(seats)

    def _seat_arrays(self, seats) -> None:
        self.seat_id = [s["id"] for s in seats]
        self.seat_title = [s["title"] for s in seats]
        self.seat_prog = np.array([s["prog"] for s in seats])
        self.seat_role = np.array([s["role"] for s in seats])
        self.parent = np.array([s["parent"] for s in seats])
        self.budget = np.array([s["budget"] for s in seats])
        n = len(seats)
        depth = np.full(n, -1)
        order = []
        roots = np.nonzero(self.parent < 0)[0]
        depth[roots] = 0
        frontier = list(roots)
        children = [[] for _ in range(n)]
        for i, p in enumerate(self.parent):
            if p >= 0:
                children[p].append(i)
        while frontier:
            order += frontier
            nxt = []
            for s in frontier:
                for c in children[s]:
                    depth[c] = depth[s] + 1
                    nxt.append(c)
            frontier = nxt
        self.depth = depth
        self.children = children
        self.n_seats = n
        self.is_clin = self.seat_role == "clinician"
        # supervisors who also carry a small caseload (player-coaches)
        self.player_coach = (self.seat_role == "supervisor") & (self.rng.random(n) < 0.5)
        self.budget[self.player_coach] = np.round(self.rng.uniform(6, 12, self.player_coach.sum()))

    # --------------------------------------------------------------- plants
    def plant(self) -> None:
        rng, nm = self.rng, self.nm
        n = self.n_seats
        prog_type = np.array([p[3] for p in self.programs])
        type_code = [PROGRAM_TYPES[t][0] if t >= 0 else "ADMIN" for t in prog_type]
        over_progs = {int(self.seat_prog[s]) for s in self.overloaded_seats}
        clin_per_prog = np.bincount(self.seat_prog[self.is_clin], minlength=len(self.programs))

        def pick(prefer):
            cands = [p for p in range(len(self.programs)) if type_code[p] != "ADMIN" and p not in used
                     and clin_per_prog[p] >= 4]
            pref = [p for p in cands if type_code[p] == prefer]
            pool = pref or cands
            if not pool:
                return None
            return int(pool[int(rng.integers(len(pool)))])

        used = set(over_progs)
        self.caseload_prog = None if self.null else pick("IOP")
        if self.caseload_prog is not None:
            used.add(self.caseload_prog)
        self.doc_prog = None if self.null else pick("CRS")
        if self.doc_prog is not None:
            used.add(self.doc_prog)
        self.caseload_month = int(round(nm * 0.45))
        self.doc_month = int(round(nm * 0.25))

        # expected caseload by seat and month (clinicians and player-coaches)
        E = np.zeros((n, nm))
        has_cl = self.is_clin | self.player_coach
        E[has_cl] = self.budget[has_cl, None] + rng.normal(0, 1.0, (has_cl.sum(), nm))
        months = np.array([f.month for f in self.month_first])
        school = np.array([type_code[p] == "SCH" for p in self.seat_prog]) & self.is_clin
        summer = np.isin(months, (7, 8))
        E_work = E.copy()                     # the workload that drives exits ignores the summer break
        E[np.ix_(school, summer)] *= 0.45
        self.caseload_seats = np.zeros(n, bool)
        if self.caseload_prog is not None:
            in_prog = self.is_clin & (self.seat_prog == self.caseload_prog)
            broke = in_prog & (rng.random(n) < 0.85)
            if in_prog.sum() and not broke.any():
                broke[np.nonzero(in_prog)[0][0]] = True
            self.caseload_seats = broke
            high = rng.uniform(45, 60, broke.sum())
            m0 = self.caseload_month
            ramp = np.clip((np.arange(nm) - m0 + 1) / 4.0, 0, 1)      # four months from budget to broken
            E[broke] = E[broke] + (high[:, None] - self.budget[broke, None]) * ramp[None, :]
            E_work[broke] = E[broke]
        self.E = E
        self.doc_seats = np.zeros(n, bool)
        if self.doc_prog is not None:
            in_prog = self.is_clin & (self.seat_prog == self.doc_prog)
            self.doc_seats = in_prog
        # churn seats: clinician seats outside the other plants
        over_children = np.isin(self.parent, self.overloaded_seats)
        elig = np.nonzero(self.is_clin & ~over_children & ~self.caseload_seats
                          & ~np.isin(self.seat_prog, [p for p in (self.caseload_prog, self.doc_prog)
                                                      if p is not None]))[0]
        n_churn = min(len(elig), max(2, round(self.is_clin.sum() / 40)))
        self.churn = np.zeros(n, bool)
        if not self.null:
            self.churn[rng.choice(elig, n_churn, replace=False)] = True

        # hazard multipliers by seat and month (all 1 in a null org)
        M = np.ones((n, nm))
        cl_mult = self._caseload_mult() ** ((E_work - CASELOAD_REFERENCE) / 10.0)
        M[self.is_clin] = cl_mult[self.is_clin]
        M[self.churn] *= CHURN_MULT
        M[over_children & self.is_clin] *= OVERLOAD_SUPERVISEE_MULT
        M[np.array(self.overloaded_seats, dtype=int)] *= OVERLOAD_SELF_MULT
        M[np.ix_(self.doc_seats, np.arange(nm) >= self.doc_month)] *= DOC_MULT
        self.M = M
        cum = np.zeros((n, nm + 1))
        cum[:, 1:] = np.cumsum(M * np.diff(self.bounds)[None, :], axis=1)
        self.cum = cum

        # cascades: supervisor seats outside other plants with at least five clinician seats
        self.cascades = []          # dicts: seat, T (planned), parent (index), nested_child (seat)
        lo, hi = int(self.D * 0.15), self.D - 210
        excluded_progs = {p for p in (self.caseload_prog, self.doc_prog) if p is not None} | over_progs
        sup_ok = [s for s in range(n) if self.seat_role[s] == "supervisor" and s not in self.overloaded_seats
                  and int(self.seat_prog[s]) not in excluded_progs
                  and sum(self.is_clin[c] for c in self.children[s]) >= 5
                  and not any(self.churn[c] for c in self.children[s])]
        if self.null or self.years < 2 or hi <= lo:
            return
        blocked_progs = set()
        if self.n_staff >= 100:
            dirs = []
            for s in range(n):
                if self.seat_role[s] != "director" or int(self.seat_prog[s]) in excluded_progs:
                    continue
                kids = self.children[s]
                nested = [c for c in kids if c in sup_ok]
                if len(kids) >= 4 and nested:
                    dirs.append((s, nested))
            n_nested = max(1, round(self.n_staff * self.years / 2000))
            for k in rng.permutation(len(dirs))[:n_nested]:
                s, nested = dirs[int(k)]
                T = int(rng.integers(lo, max(lo + 1, self.D - 420)))
                child = nested[int(rng.integers(len(nested)))]
                self.cascades.append({"seat": s, "T": T, "parent": None, "nested_child": child})
                blocked_progs.add(int(self.seat_prog[s]))
        pool = [s for s in sup_ok if int(self.seat_prog[s]) not in blocked_progs]
        n_casc = min(len(pool), max(2, round(self.n_staff * self.years / 300)))
        for k in rng.permutation(len(pool))[:n_casc]:
            self.cascades.append({"seat": pool[int(k)], "T": int(rng.integers(lo, hi)), "parent": None,
                                  "nested_child": None})

    def _caseload_mult(self) -> float:
        return 1.0 if self.null else CASELOAD_MULT_PER_10

    def _rate_factor(self) -> float:
        """Factor on the base hazards that keeps the mean tenure at what ``WEIBULL_SHAPE`` gives."""
        return math.gamma(1 + 1 / self.shape) / math.gamma(1 + 1 / WEIBULL_SHAPE)

    # ------------------------------------------------------------ tenures
    def _A(self, s, t):
        j = self.month_of_day[t]
        return self.cum[s, j] + self.M[s, j] * (t - self.bounds[j])

    def _Ainv(self, s, target):
        nm = self.nm
        j = (self.cum[s, 1:] <= target[:, None]).sum(1)
        jc = np.minimum(j, nm - 1)
        inside = self.bounds[jc] + (target - self.cum[s, jc]) / self.M[s, jc]
        beyond = self.D + (target - self.cum[s, nm]) / self.M[s, nm - 1]
        return np.where(j < nm, inside, beyond)

    def simulate(self) -> None:
        rng, D = self.rng, self.D
        n = self.n_seats
        role = self.seat_role
        lam = np.array([BASE_HAZARD[r] for r in role]) / 365.25
        if self.tenure_shape is not None:       # same mean tenure, another shape (churn seats keep theirs)
            lam = np.where(self.churn, lam, lam * self._rate_factor())
        gap_lo = np.array([GAPS[r][0] for r in role])
        gap_hi = np.array([GAPS[r][1] for r in role])
        gap_lo[self.churn], gap_hi[self.churn] = GAPS["churn"]
        # initial holders: hired some time before the start (stationary age); a few seats start vacant
        if self.tenure_shape is None:
            a0 = rng.exponential(1.0 / (lam * self.M[:, 0]))
        else:   # the age of a stationary holder: a uniform share of a length-biased Weibull tenure
            k = np.where(self.churn, CHURN_SHAPE, self.shape)
            a0 = rng.random(n) * rng.gamma(1 + 1 / k) ** (1 / k) / (lam * self.M[:, 0])
        old = 20 * 365.25                                   # nobody older than 25 years in the seat
        a0 = np.where(a0 > old, old - 5 * 365.25 + np.mod(a0, 10 * 365.25) / 2, a0)
        over = np.array(self.overloaded_seats, dtype=int)
        a0[over] = rng.uniform(30, 150, len(over))         # a reorganisation just gave them the big team
        t_init = np.zeros(n, np.int64)
        vacant = rng.random(n) < 0.04
        t_init[vacant] = rng.integers(1, 60, vacant.sum())
        a0[vacant] = 0.0
        # events: seat, T, F, kind (1 exit, 2 promotion out, 3 planted trigger exit), id
        self.events = {"seat": [], "T": [], "F": [], "kind": []}
        self.forced_seats = set()

        def add_event(seat, T, F, kind):
            self.events["seat"].append(int(seat))
            self.events["T"].append(int(T))
            self.events["F"].append(int(F))
            self.events["kind"].append(kind)
            return len(self.events["seat"]) - 1

        for c in self.cascades:
            if c["parent"] is None:
                c["event"] = add_event(c["seat"], c["T"], c["T"], 3)
                self.forced_seats.add(c["seat"])
        ten = {k: [] for k in ("seat", "t0", "e", "kind", "ev", "a0")}
        self.promo_upper = {}        # event id -> upper tenure id
        n_ten = 0
        for d in range(int(self.depth.max()) + 1):
            seats = np.nonzero(self.depth == d)[0]
            res = self._simulate_level(seats, lam, gap_lo, gap_hi, a0, t_init)
            ids = np.arange(n_ten, n_ten + len(res["seat"]))
            n_ten += len(ids)
            for k in ten:
                ten[k].append(res[k])
            # cascades triggered at this level -> forced exits one level down
            ev_of_tenure = {int(e): int(i) for e, i, k in zip(res["ev"], ids, res["kind"]) if e >= 0 and k == 1}
            for c in self.cascades:
                if self.depth[c["seat"]] != d or "event" not in c:
                    continue
                tid = ev_of_tenure.get(c["event"])
                if tid is None:
                    c["materialised"] = False
                    continue
                c["materialised"] = True
                c["tenure"] = tid
                T = int(res["e"][tid - ids[0]])
                c["T_actual"] = T
                kids = [k for k in self.children[c["seat"]] if role[k] != "admin" or c["nested_child"] is not None]
                # a supervisor loses 80% of their clinicians; a director loses every direct report
                k_force = len(kids) if c["nested_child"] is not None else max(3, math.ceil(0.8 * len(kids)))
                chosen = list(rng.permutation(kids)[:k_force])
                if c["nested_child"] is not None and c["nested_child"] not in chosen:
                    chosen[-1] = c["nested_child"]
                for k in chosen:
                    k = int(k)
                    if k == c["nested_child"]:
                        ev = add_event(k, T, T + int(rng.integers(20, 91)), 1)
                        self.cascades.append({"seat": k, "T": None, "parent": c, "nested_child": None,
                                              "event": ev})
                    else:
                        add_event(k, T, T + int(rng.integers(*CASCADE_DELAY)), 1)
                    self.forced_seats.add(k)
            # refills of supervisor and director seats: some are promotions from the level below
            for i in range(len(res["seat"])):
                s, t0 = int(res["seat"][i]), int(res["t0"][i])
                if t0 <= 0 or role[s] not in PROMOTION_P or rng.random() >= PROMOTION_P[role[s]]:
                    continue
                feeder = "clinician" if role[s] == "supervisor" else ("supervisor" if
                                                                      self.seat_prog[s] != len(self.programs) - 1
                                                                      else "director")
                kids = [k for k in self.children[s] if role[k] == feeder and k not in self.forced_seats]
                if not kids:
                    continue
                k = kids[int(rng.integers(len(kids)))]
                ev = add_event(k, t0, t0, 2)
                self.promo_upper[ev] = int(ids[i])
        self.ten = {k: np.concatenate(v) for k, v in ten.items()}

    def _simulate_level(self, seats, lam, gap_lo, gap_hi, a0_all, t_init):
        rng, D = self.rng, self.D
        ev = {k: np.array(v, dtype=np.int64) for k, v in self.events.items()}
        local = np.full(self.n_seats, -1)
        local[seats] = np.arange(len(seats))
        mine = local[ev["seat"]] >= 0 if len(ev["seat"]) else np.zeros(0, bool)
        ev_id = np.nonzero(mine)[0]
        ev_loc = local[ev["seat"][mine]]
        order = np.lexsort((ev["T"][mine], ev_loc))
        ev_id, ev_loc = ev_id[order], ev_loc[order]
        evT, evF, evK = ev["T"][ev_id], ev["F"][ev_id], ev["kind"][ev_id]
        p_lo = np.searchsorted(ev_loc, np.arange(len(seats)), "left")
        p_hi = np.searchsorted(ev_loc, np.arange(len(seats)), "right")
        ptr = p_lo.copy()
        t0 = t_init[seats].copy()
        a0 = a0_all[seats].copy()
        active = t0 < D
        out = {k: [] for k in ("seat", "t0", "e", "kind", "ev", "a0")}
        while active.any():
            idx = np.nonzero(active)[0]
            s = seats[idx]
            tt = t0[idx]
            la = lam[s]
            E = rng.exponential(size=len(idx))
            k = np.where(self.churn[s], CHURN_SHAPE, self.shape)
            base = (la * a0[idx]) ** k
            delta = (base + E) ** (1.0 / k) / la - a0[idx]
            e = np.ceil(self._Ainv(s, self._A(s, tt) + delta)).astype(np.int64)
            e = np.maximum(e, tt + 7)
            p = ptr[idx]
            ph = p_hi[idx]
            while True:
                live = p < ph
                pc = np.minimum(p, max(len(evT) - 1, 0))
                skip = live & (evT[pc] <= tt) & (evK[pc] != 3) if len(evT) else live
                if not skip.any():
                    break
                p = p + skip
            live = p < ph
            kind = np.zeros(len(idx), np.int64)
            evo = np.full(len(idx), -1, np.int64)
            if len(evT):
                pc = np.minimum(p, len(evT) - 1)
                # a planted trigger finding the seat vacant waits for the next holder's fourth month
                trig = evK[pc] == 3
                Teff = np.where(trig & (evT[pc] <= tt), tt + 120, evT[pc])
                Feff = np.where(trig, Teff, evF[pc])
                has = live & (Teff < e)
                fx = has & (evK[pc] != 2) & (Feff < e)
                pr = has & (evK[pc] == 2)
                e = np.where(fx, Feff, e)
                e = np.where(pr, Teff, e)
                kind[fx], kind[pr] = 1, 2
                evo[fx | pr] = ev_id[pc[fx | pr]]
                ptr[idx] = p + has
            out["seat"].append(s)
            out["t0"].append(tt)
            out["e"].append(e)
            out["kind"].append(kind)
            out["ev"].append(evo)
            out["a0"].append(a0[idx].copy())
            nxt = e + rng.integers(gap_lo[s], gap_hi[s] + 1)
            t0[idx] = nxt
            a0[idx] = 0.0
            active[idx] = (e <= D) & (nxt < D)
        res = {k: np.concatenate(v) for k, v in out.items()}
        order = np.lexsort((res["t0"], res["seat"]))
        return {k: v[order] for k, v in res.items()}

    # ------------------------------------------------------------- people
    def people(self) -> None:
        rng, D = self.rng, self.D
        T = self.ten
        n_t = len(T["seat"])
        lower_of = {}
        for i in np.nonzero(T["kind"] == 2)[0]:
            up = self.promo_upper.get(int(T["ev"][i]))
            if up is not None:
                lower_of[up] = int(i)
        order = np.lexsort((T["seat"], T["t0"]))
        person = np.full(n_t, -1, np.int64)
        n_p = 0
        for i in order:
            lo = lower_of.get(int(i))
            if lo is None:
                person[i] = n_p
                n_p += 1
            else:
                person[i] = person[lo]
        T["person"] = person
        hire_off = np.where(T["a0"] > 0, -np.round(T["a0"]).astype(np.int64), 0)
        T["start"] = T["t0"] + hire_off               # assignment start (before day 0 for initial holders)
        first_start = np.full(n_p, np.iinfo(np.int64).max)
        np.minimum.at(first_start, person, T["start"])
        # the last tenure of each person decides the exit
        ordr = np.lexsort((T["t0"], person))
        last = ordr[np.r_[person[ordr][1:] != person[ordr][:-1], True]]
        exit_day = np.full(n_p, -1, np.int64)          # last day employed, -1 = still employed
        lp = person[last]
        ex = T["e"][last] <= D
        exit_day[lp[ex]] = T["e"][last][ex] - 1
        # staff ids in order of hire
        rank = np.empty(n_p, np.int64)
        rank[np.lexsort((np.arange(n_p), first_start))] = np.arange(n_p)
        # renumber persons so that person index == staff number order
        person = rank[person]
        T["person"] = person
        inv = np.argsort(rank)
        self.hire = first_start[inv]
        self.exit_day = exit_day[inv]
        self.n_people = n_p
        self.written = np.ones(n_p, bool)            # people in the files (see export)
        last_t = np.empty(n_p, np.int64)
        last_t[rank[lp]] = last
        self.last_tenure = last_t
        first_t = np.empty(n_p, np.int64)
        firsts = ordr[np.r_[True, person[ordr][1:] != person[ordr][:-1]]]
        first_t[person[firsts]] = firsts
        self.first_tenure = first_t
        width = max(4, len(str(n_p)))
        self.staff_ids = [f"S{i + 1:0{width}d}" for i in range(n_p)]
        # attributes
        self._attributes()
        # tenures sorted by (person, t0) for all later tables
        o = np.lexsort((T["t0"], T["person"]))
        self.ten = {k: v[o] for k, v in T.items()}
        pos = np.empty_like(o)
        pos[o] = np.arange(len(o))
        self.last_tenure = pos[self.last_tenure]
        self.first_tenure = pos[self.first_tenure]

    def _attributes(self) -> None:
        rng = self.rng
        n = self.n_people
        T = self.ten
        first_role = self.seat_role[T["seat"][self.first_tenure]]
        last_role = self.seat_role[T["seat"][self.last_tenure]]
        dshare = np.array([d[2] for d in _DISCIPLINES])
        disc = rng.choice(len(_DISCIPLINES), n, p=dshare / dshare.sum())
        licensed = np.array([i for i, d in enumerate(_DISCIPLINES) if d[1] in ("LCSW", "LPC", "LMFT",
                                                                               "Licensed Psychologist")])
        lead = (last_role == "supervisor") | (last_role == "director")
        disc[lead] = rng.choice(licensed, lead.sum())
        admin = first_role == "admin"
        self.discipline = [("Administration", "") if admin[i] else _DISCIPLINES[disc[i]][:2] for i in range(n)]
        self.fte = np.where(rng.random(n) < 0.85, 1.0, np.where(rng.random(n) < 0.5, 0.8, 0.5))
        self.fte[lead] = 1.0
        lo = np.array([_SALARY[r][0] for r in last_role])
        hi = np.array([_SALARY[r][1] for r in last_role])
        self.salary = (np.round(rng.uniform(lo, hi) / 100) * 100).astype(np.int64)
        self.names = [f"{_FIRST[a]} {_LAST[b]}" for a, b in zip(rng.integers(0, len(_FIRST), n),
                                                                   rng.integers(0, len(_LAST), n))]
        # termination type and reason
        exited = self.exit_day >= 0
        kinds = np.array([k for k, _ in _TERMINATION])
        kp = np.array([p for _, p in _TERMINATION])
        ttype = np.array([""] * n, dtype=object)
        ttype[exited] = kinds[rng.choice(len(kinds), exited.sum(), p=kp)]
        years_served = (self.exit_day - self.hire) / 365.25
        ttype[(ttype == "retirement") & (years_served < 5)] = "voluntary"
        ttype[exited & (years_served > 12) & (rng.random(n) < 0.35)] = "retirement"
        lt = self.last_tenure
        ev_kind = np.array(self.events["kind"] + [0])
        forced = (T["kind"][lt] == 1) & (ev_kind[T["ev"][lt]] != 3)      # pushed out by a cascade, not its trigger
        seat = T["seat"][lt]
        m_exit = self.month_of_day[np.clip(self.exit_day, 0, self.D)]
        stressed = exited & ((self.M[seat, m_exit] >= 1.8) | self.doc_seats[seat])
        reason = np.array([""] * n, dtype=object)
        for k in _REASONS:
            sel = np.nonzero(ttype == k)[0]
            reason[sel] = np.array(_REASONS[k], dtype=object)[rng.integers(0, len(_REASONS[k]), len(sel))]
        vol = ttype == "voluntary"
        reason[vol & stressed & (rng.random(n) < 0.5)] = _REASONS["voluntary"][_BURNOUT]
        sup_change = vol & forced & (rng.random(n) < 0.4)
        reason[sup_change] = _SUPERVISOR_REASON
        self.ttype, self.treason = ttype, reason

    # ----------------------------------------------------------- supervision
    def supervision(self) -> None:
        """Supervision pieces: each tenure of a seat under a parent seat, split by who stood in for
        that parent (its holder, or while it is vacant whoever stood in for *its* parent)."""
        T = self.ten
        D = self.D
        tmin = int(T["start"].min()) - 1
        # per-seat tenure intervals use the assignment start (history before day 0 for initial holders)
        # ends are capped at D + 1 ("still going"): a tenure ending at D left on the last day
        a_all, b_all = T["start"], np.minimum(T["e"], D + 1)
        seat_all, pers_all = T["seat"], T["person"]
        eff = {}          # seat -> arrays (a, b, sup person, sup seat) for its children
        for d in range(int(self.depth.max()) + 1):
            seats = np.nonzero(self.depth == d)[0]
            sel = np.isin(seat_all, seats)
            s_seat, s_a, s_b, s_p = seat_all[sel], a_all[sel], b_all[sel], pers_all[sel]
            o = np.lexsort((s_a, s_seat))
            s_seat, s_a, s_b, s_p = s_seat[o], s_a[o], s_b[o], s_p[o]
            # gaps of each seat inside [tmin, D)
            g_seat, g_a, g_b = _gaps(seats, s_seat, s_a, s_b, tmin, D + 1)
            pieces = [(s_seat, s_a, s_b, s_p, s_seat)]
            par = self.parent[g_seat]
            has_par = par >= 0
            if has_par.any():
                qi, a, b, sp, ss = self._cover(par[has_par], g_a[has_par], g_b[has_par], eff_tab)
                pieces.append((g_seat[has_par][qi], a, b, sp, ss))
            cat = [np.concatenate(x) for x in zip(*pieces)]
            o = np.lexsort((cat[1], cat[0]))
            eff_tab = tuple(c[o] for c in cat)            # key seat, a, b, sup person, sup seat
            eff[d] = eff_tab
            # tenures at the next level are covered by this level's table
        self._eff_by_depth = eff
        rows = []
        for d in range(1, int(self.depth.max()) + 1):
            sel = self.depth[seat_all] == d
            idx = np.nonzero(sel)[0]
            qi, a, b, sp, ss = self._cover(self.parent[seat_all[idx]], a_all[idx], b_all[idx], eff[d - 1])
            rows.append((idx[qi], a, b, sp, ss))
        ti, a, b, sp, ss = (np.concatenate(x) for x in zip(*rows))
        keep = a < D                     # [D, D + 1) only marks "still going"
        ti, a, b, sp, ss = ti[keep], a[keep], b[keep], sp[keep], ss[keep]
        ee = pers_all[ti]
        o = np.lexsort((a, ee))
        ti, a, b, sp, ss, ee = ti[o], a[o], b[o], sp[o], ss[o], ee[o]
        # merge adjacent pieces with the same pair (a promotion under the same supervisor)
        same = np.r_[False, (ee[1:] == ee[:-1]) & (sp[1:] == sp[:-1]) & (a[1:] == b[:-1])]
        grp = np.cumsum(~same) - 1
        first = np.nonzero(~same)[0]
        b_m = np.full(len(first), np.iinfo(np.int64).min)
        np.maximum.at(b_m, grp, b)
        self.sup = {"staff": ee[first], "sup": sp[first], "a": a[first], "b": b_m, "tenure": ti[first],
                    "sup_seat": ss[first]}
        # pieces (unmerged) keep seat roles for sessions
        self.sup_pieces = {"tenure": ti, "a": a, "b": b, "sup": sp, "sup_seat": ss, "staff": ee}

    @staticmethod
    def _cover(q_key, q_a, q_b, tab):
        """Intersect query intervals (keyed by seat) with the sorted, non-overlapping segments of ``tab``."""
        k, sa, sb, sp, ss = tab
        if not len(q_key) or not len(k):
            z = np.zeros(0, np.int64)
            return z, z, z, z, z
        off = min(int(sa.min()), int(q_a.min()))
        big = max(int(sb.max()), int(q_b.max())) - off + 2
        kb = k * big + (sb - off)
        ka = k * big + (sa - off)
        i0 = np.searchsorted(kb, q_key * big + (q_a - off), "right")
        i1 = np.searchsorted(ka, q_key * big + (q_b - off), "left")
        cnt = np.maximum(i1 - i0, 0)
        qi = np.repeat(np.arange(len(q_key)), cnt)
        within = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        si = np.repeat(i0, cnt) + within
        a = np.maximum(q_a[qi], sa[si])
        b = np.minimum(q_b[qi], sb[si])
        ok = b > a
        return qi[ok], a[ok], b[ok], sp[si][ok], ss[si][ok]

    # ------------------------------------------------------- monthly tables
    def monthly(self) -> None:
        rng, D, nm = self.rng, self.D, self.nm
        T = self.ten
        has_cl = self.is_clin[T["seat"]] | self.player_coach[T["seat"]]
        ti = np.nonzero(has_cl & (T["e"] > 0) & (T["t0"] < D))[0]
        a = np.maximum(T["t0"][ti], 0)
        b = np.minimum(T["e"][ti], D)
        ok = b > a
        ti, a, b = ti[ok], a[ok], b[ok]
        m0 = self.month_of_day[a]
        m1 = self.month_of_day[b - 1]
        cnt = m1 - m0 + 1
        r = np.repeat(np.arange(len(ti)), cnt)
        m = np.repeat(m0, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        tid = ti[r]
        seat = T["seat"][tid]
        since = m - self.month_of_day[np.maximum(T["t0"][tid], 0)]
        new = T["a0"][tid] == 0                          # hired (or promoted) in the period: ramp up
        ramp = np.where(new, np.array([0.4, 0.7, 0.9, 1.0])[np.minimum(since, 3)], 1.0)
        fte = self.fte[T["person"][tid]]             # part-timers carry a proportional caseload
        clients = np.maximum(np.round(self.E[seat, m] * ramp * fte + rng.normal(0, 2.0, len(m))), 0).astype(np.int64)
        lo = np.maximum(self.bounds[m], a[r])
        hi = np.minimum(self.bounds[m + 1], b[r])
        frac = (hi - lo) / np.diff(self.bounds)[m]
        prod = rng.uniform(0.85, 1.1, len(ti))[r]
        sess = np.minimum(clients * 2.7 * prod, 130.0) * frac * rng.uniform(0.92, 1.08, len(m))
        base_ratio = np.clip(rng.normal(0.55, 0.08, len(ti)), 0.35, 0.8)[r]
        doc_hi = rng.uniform(1.05, 1.35, len(ti))[r]
        burden = self.doc_seats[seat] & (m >= self.doc_month)
        ratio = np.where(burden, doc_hi, base_ratio) * rng.uniform(0.93, 1.07, len(m))
        self.monthly_rows = {"staff": T["person"][tid], "month": m, "clients": clients,
                             "session_hours": np.round(sess, 1), "doc_hours": np.round(sess * ratio, 1),
                             "seat": seat, "tenure": tid}

    def sessions(self) -> None:
        rng, D = self.rng, self.D
        P = self.sup_pieces
        T = self.ten
        ee_role = self.seat_role[T["seat"][P["tenure"]]]
        a = np.maximum(P["a"], 0)
        b = np.minimum(P["b"], D)
        keep = (b > a) & (ee_role != "admin")
        a, b = a[keep], b[keep]
        ee_role = ee_role[keep]
        sup, staff, sup_seat = P["sup"][keep], P["staff"][keep], P["sup_seat"][keep]
        o = np.lexsort((a, staff, sup))          # output comes out sorted by supervisor, supervisee, date
        a, b, ee_role, sup, staff, sup_seat = a[o], b[o], ee_role[o], sup[o], staff[o], sup_seat[o]
        clin = ee_role == "clinician"
        step = np.where(clin, 15, 30)
        off = rng.integers(2, 15, len(a))
        cnt = np.maximum((b - a - off + step - 1) // step, 0)
        r = np.repeat(np.arange(len(a)), cnt)
        k = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        day = a[r] + off[r] + k * step[r] + rng.integers(-2, 3, len(r))
        day = np.clip(day, a[r], b[r] - 1)
        over_piece = np.isin(sup_seat, self.overloaded_seats)
        interim_piece = (self.seat_role[sup_seat] == "director") & clin
        p_piece = np.where(over_piece, 0.35, np.where(interim_piece, 0.5, 0.92))
        u = rng.random(len(r))
        happen = u < p_piece[r]
        # minutes: 60/90/120 (20/40/40%) for clinicians, 60 for supervisors, 30/45 when overloaded
        u2 = (u / p_piece[r] * 10).astype(np.int64) % 10
        normal = np.where(u2 < 2, 60, np.where(u2 < 6, 90, 120))
        minutes = np.where(over_piece[r], np.where(u2 < 5, 30, 45), np.where(clin[r], normal, 60))
        self.sessions_rows = {"sup": sup[r][happen], "staff": staff[r][happen], "day": day[happen],
                              "minutes": minutes[happen]}

    def clients(self) -> None:
        """Client episodes: arrivals keep each clinician's expected caseload (Little's law), a new holder
        inherits part of the waitlist, and an episode still open when the clinician leaves ends that day."""
        rng, D = self.rng, self.D
        T = self.ten
        R = self.monthly_rows
        clin = self.is_clin[R["seat"]]
        seat, m, tid = R["seat"][clin], R["month"][clin], R["tenure"][clin]
        dur_m = np.array([PROGRAM_TYPES[p[3]][5] if p[3] >= 0 else 12 for p in self.programs], float)
        dur = dur_m[self.seat_prog[seat]] * 30.44
        t0 = T["t0"][tid]
        t_a = np.maximum(t0, 0)
        t_end = T["e"][tid]
        lo = np.maximum(self.bounds[m], t_a)
        hi = np.minimum(self.bounds[m + 1], np.minimum(t_end, D))
        frac = (hi - lo) / np.diff(self.bounds)[m]
        exp_cl = self.E[seat, m] * self.fte[T["person"][tid]]
        lam = exp_cl / (dur / 30.44) * frac
        first = lo == t_a
        backlog = np.where(first, np.where(t0 <= 0, 1.0, 0.5) * exp_cl, 0.0)
        n_new = rng.poisson(lam)
        n_old = rng.poisson(backlog)
        # row-level values (32-bit), gathered below with monotone indices (cache friendly)
        person = T["person"][tid].astype(np.int32)
        ends_by_exit = (T["kind"][tid] != 2) & (t_end <= D)
        prevalent_row = t0 <= 0
        t_end = t_end.astype(np.int32)
        lo, hi, dur = lo.astype(np.int32), hi.astype(np.int32), dur.astype(np.float32)
        rows = np.arange(len(m), dtype=np.int32)
        r = np.concatenate([np.repeat(rows, n_old), np.repeat(rows, n_new)])
        is_old = np.zeros(len(r), bool)
        is_old[:n_old.sum()] = True
        u = rng.random(len(r), dtype=np.float32)
        span = np.where(is_old, np.where(prevalent_row[r], -dur[r], np.float32(0)), (hi - lo)[r])
        start = lo[r] + np.floor(u * span).astype(np.int32)
        prevalent = is_old & prevalent_row[r]
        start = np.where(prevalent, np.maximum(start, T["start"][tid].astype(np.int32)[r]), start)
        length = np.ceil(rng.standard_exponential(len(r), dtype=np.float32) * dur[r]).astype(np.int32) + 7
        # prevalent clients: the remaining time in treatment is counted from day 0
        end = np.where(prevalent, np.int32(0), start) + length          # exclusive
        te = t_end[r]
        cut = end >= te
        end = np.minimum(end, te)
        open_ = end > D
        self.client_rows = {"staff": person[r], "start": start, "end": end, "open": open_,
                            "broken": cut & ~open_ & ends_by_exit[r]}

    # ---------------------------------------------------------------- export
    def export(self, day: int) -> None:
        """Keep only what an export starting on ``day`` holds.

        Nobody whose last day is before ``day`` is written; the people who are
        keep their whole history (hire date, seats, supervision), except
        supervision by someone not in the export. Monthly tables, supervision
        sessions and client episodes start with the month of ``day`` (episodes
        still open then keep their start date).
        """
        self.w0, self.export_from = day, self._iso(day)
        keep = (self.exit_day < 0) | (self.exit_day >= day)
        self.written = keep
        m0 = int(self.month_of_day[day])
        cut = int(self.bounds[m0])
        T = self.ten
        kt = keep[T["person"]]
        pos = np.where(kt, np.cumsum(kt) - 1, -1)
        self.ten = {k: v[kt] for k, v in T.items()}
        self.last_tenure, self.first_tenure = pos[self.last_tenure], pos[self.first_tenure]
        S = self.sup
        ks = keep[S["staff"]] & keep[S["sup"]]
        self.sup = {k: (pos[v[ks]] if k == "tenure" else v[ks]) for k, v in S.items()}
        X = self.sessions_rows
        kx = keep[X["sup"]] & keep[X["staff"]] & (X["day"] >= cut)
        self.sessions_rows = {k: v[kx] for k, v in X.items()}
        R = self.monthly_rows
        kr = keep[R["staff"]] & (R["month"] >= m0)
        self.monthly_rows = {k: (pos[v[kr]] if k == "tenure" else v[kr]) for k, v in R.items()}
        C = self.client_rows
        kc = keep[C["staff"]] & (C["open"] | (C["end"] > cut))
        self.client_rows = {k: v[kc] for k, v in C.items()}

    # ----------------------------------------------------------------- truth
    def truth(self) -> dict:
        D = self.D
        T = self.ten
        iso = self._iso
        S = self.sup
        o = np.lexsort((S["a"], S["sup"]))
        by_sup = {k: v[o] for k, v in S.items()}
        cascades = []
        rec_of = {}
        for c in self.cascades:
            tid = self._trigger_tenure(c)
            if tid is None:
                continue
            p = int(T["person"][tid])
            last = int(T["e"][tid]) - 1
            lo_i, hi_i = np.searchsorted(by_sup["sup"], [p, p + 1])
            sa, sb, ss = by_sup["a"][lo_i:hi_i], by_sup["b"][lo_i:hi_i], by_sup["staff"][lo_i:hi_i]
            cohort = np.unique(ss[(sa <= last) & (sb > last - 29)])
            ex = self.exit_day[cohort]
            gone = (ex > last) & (ex <= last + CASCADE_WINDOW)
            rec = {"supervisor_id": self.staff_ids[p], "position_id": self.seat_id[T["seat"][tid]],
                   "program_id": self.programs[self.seat_prog[T["seat"][tid]]][0],
                   "role_kind": str(self.seat_role[T["seat"][tid]]), "exit_date": iso(last),
                   "cohort_size": int(len(cohort)), "cohort": [self.staff_ids[x] for x in cohort],
                   "departed": [self.staff_ids[x] for x in cohort[gone]],
                   "departures": [{"staff_id": self.staff_ids[x], "exit_date": iso(int(self.exit_day[x])),
                                   "days_after": int(self.exit_day[x] - last)}
                                  for x in sorted(cohort[gone], key=lambda x: (self.exit_day[x], x))],
                   "parent": None, "children": []}
            if len(cohort) < 4 or gone.sum() < 3:
                continue
            rec_of[id(c)] = rec
            if c["parent"] is not None and id(c["parent"]) in rec_of:
                rec["parent"] = rec_of[id(c["parent"])]["supervisor_id"]
                rec_of[id(c["parent"])]["children"].append(rec["supervisor_id"])
            cascades.append(rec)
        cascades.sort(key=lambda r: (r["exit_date"], r["supervisor_id"]))
        generator = {"name": "orgraph.synth", "staff": self.n_staff, "years": self.years, "seed": self.seed,
                     "start": self.start.isoformat(), "end": self.end.isoformat()}
        # the calibration options are recorded only when used (default truth.json keeps its bytes)
        if self.null:
            generator["null"] = True
        if self.tenure_shape is not None:
            generator["tenure_shape"] = self.tenure_shape
        if self.export_from is not None:
            generator["export_from"] = self.export_from
        f = 0.0 if self.null else 1.0              # the planted multipliers x^f: all 1 in a null org
        hazard_model = {
            "base_annual_hazard": dict(BASE_HAZARD), "weibull_shape": self.shape,
            "caseload": {"reference_clients": CASELOAD_REFERENCE,
                         "hazard_multiplier_per_10_clients": self._caseload_mult(),
                         "sign": "none" if self.null else "positive"},
            "multipliers": {"churn_seat": CHURN_MULT ** f, "overloaded_supervisee": OVERLOAD_SUPERVISEE_MULT ** f,
                            "overloaded_supervisor_self": OVERLOAD_SELF_MULT ** f,
                            "documentation_burden": DOC_MULT ** f},
            "cascade": {"window_days": CASCADE_WINDOW, "delay_days": list(CASCADE_DELAY),
                        "share_of_cohort_forced": 0.8 * f, "share_of_director_reports_forced": 1.0 * f},
            "vacancy_gap_days": {k: list(v) for k, v in GAPS.items()},
        }
        if self.tenure_shape is not None:
            hazard_model["weibull_rate_factor"] = round(self._rate_factor(), 4)
        head = {"version": TRUTH_VERSION}
        if self.null:
            head["null"] = True
        return {
            **head,
            "generator": generator,
            "window": {"start": self._iso(self.w0), "end": self.end.isoformat()},
            "counts": self._counts(),
            "hazard_model": hazard_model,
            "cascades": cascades,
            "overloaded_supervisors": self._overloaded(),
            "churn_seats": self._churn(),
            "churn_seats_unrealised": self._churn(realised=False),
            "elevated_hazard": self._elevated(),
            "caseload_program": self._caseload_program(),
            "documentation_program": self._doc_program(),
        }

    def _trigger_tenure(self, c):
        if not hasattr(self, "_forced_tenure"):
            f = np.nonzero(self.ten["kind"] == 1)[0]
            self._forced_tenure = dict(zip(self.ten["ev"][f].tolist(), f.tolist()))
        tid = self._forced_tenure.get(c.get("event"))
        if tid is None or self.ten["e"][tid] > self.D:
            return None
        return tid

    def _iso(self, day: int) -> str:
        return (self.start + dt.timedelta(days=int(day))).isoformat()

    def _month(self, m: int) -> str:
        return self.month_first[m].strftime("%Y-%m")

    def _counts(self) -> dict:
        T, D = self.ten, self.D
        keep = self.written
        exited = self.exit_day[keep] >= 0
        in_window = exited
        last = self.last_tenure[keep]
        role = self.seat_role[T["seat"][last]]
        forced = T["kind"][last] == 1
        mid = (self.w0 + D) // 2
        filled = ((T["t0"] <= mid) & (T["e"] > mid)).sum()
        return {"people": int(keep.sum()), "seats": int(self.n_seats), "programs": len(self.programs),
                "filled_seats_mid_period": int(filled),
                "exits": int(exited.sum()),
                "exits_by_role_kind": {r: int((in_window & (role == r)).sum()) for r in BASE_HAZARD},
                "planted_cascade_exits": int((exited & forced).sum()),
                "promotions": int((T["kind"] == 2).sum()),
                "client_episodes": int(len(self.client_rows["start"])),
                "client_episodes_ended_by_clinician_exit": int(self.client_rows["broken"].sum())}

    def _overloaded(self) -> list:
        T, D = self.ten, self.D
        out = []
        S = self.sup
        o = np.argsort(S["sup"], kind="stable")
        S = {k: v[o] for k, v in S.items()}
        clin_ee = self.is_clin[T["seat"][S["tenure"]]]
        sess = self.sessions_rows                   # sorted by supervisor
        over_t = np.nonzero(np.isin(T["seat"], self.overloaded_seats))[0]
        for s in self.overloaded_seats:
            for tid in over_t[T["seat"][over_t] == s]:
                a, b = max(int(T["t0"][tid]), self.w0), min(int(T["e"][tid]), D)
                if b - a < 90:
                    continue
                p = int(T["person"][tid])
                i0, i1 = np.searchsorted(S["sup"], [p, p + 1])
                sel = slice(i0, i1)
                keep = clin_ee[sel]
                pa, pb = np.maximum(S["a"][sel][keep], a), np.minimum(S["b"][sel][keep], b)
                days = np.maximum(pb - pa, 0).sum()
                j0, j1 = np.searchsorted(sess["sup"], [p, p + 1])
                sd = sess["day"][j0:j1]
                delivered = float(sess["minutes"][j0:j1][(sd >= a) & (sd < b)].sum()) / 60.0
                required = days / 7.0
                # daily span for the max
                ev = np.concatenate([pa[pb > pa], pb[pb > pa]])
                dl = np.concatenate([np.ones((pb > pa).sum()), -np.ones((pb > pa).sum())])
                o = np.lexsort((dl, ev))
                out.append({"supervisor_id": self.staff_ids[p], "position_id": self.seat_id[s],
                            "program_id": self.programs[self.seat_prog[s]][0],
                            "start": self._iso(a), "end": self._iso(b - 1),
                            "clinician_seats": int(sum(self.is_clin[c] for c in self.children[s])),
                            "mean_span": round(float(days / (b - a)), 2),
                            "max_span": int(np.cumsum(dl[o]).max()) if len(o) else 0,
                            "supervision_hours_delivered": round(delivered, 1),
                            "supervision_hours_required": round(required, 1),
                            "delivered_ratio": round(delivered / required, 3) if required else None,
                            "supervisee_hazard_multiplier": OVERLOAD_SUPERVISEE_MULT})
        return out

    def _churn(self, realised: bool = True) -> list:
        """Planted churn seats with at least ``CHURN_MIN_EXITS`` exits in the period (or, with
        ``realised=False``, the planted seats whose holders happened to stay longer)."""
        T, D = self.ten, self.D
        out = []
        cand = np.nonzero(self.churn[T["seat"]] & (T["e"] > 0))[0]
        for s in np.nonzero(self.churn)[0]:
            sel = cand[T["seat"][cand] == s]
            exits = (T["e"][sel] <= D) & (T["kind"][sel] != 2)
            ten = (np.minimum(T["e"][sel], D) - T["start"][sel])
            if (exits.sum() >= CHURN_MIN_EXITS) != realised:
                continue
            out.append({"position_id": self.seat_id[s], "title": self.seat_title[s],
                        "program_id": self.programs[self.seat_prog[s]][0], "hazard_multiplier": CHURN_MULT,
                        "holders": [self.staff_ids[p] for p in T["person"][sel]],
                        "exits": int(exits.sum()), "median_tenure_days": int(np.median(ten)) if len(ten) else None})
        return out

    def _elevated(self) -> dict:
        """Seats whose holders' exit hazard was raised by a plant, and the supervisors over them:
        an analysis may legitimately flag these even though they are not planted as such."""
        seats = {}
        for s in np.nonzero(self.churn)[0]:
            seats.setdefault(int(s), []).append("churn_seat")
        for s in np.nonzero(np.isin(self.parent, self.overloaded_seats) & self.is_clin)[0]:
            seats.setdefault(int(s), []).append("overloaded_supervisor")
        for s in np.nonzero(self.caseload_seats)[0]:
            seats.setdefault(int(s), []).append("caseload_program")
        for s in np.nonzero(self.doc_seats)[0]:
            seats.setdefault(int(s), []).append("documentation_program")
        sups = sorted({int(self.parent[s]) for s in seats if self.parent[s] >= 0})
        return {"positions": [{"position_id": self.seat_id[s], "reasons": r} for s, r in sorted(seats.items())],
                "supervisor_positions": [self.seat_id[s] for s in sups]}

    def _caseload_program(self):
        if self.caseload_prog is None:
            return None
        R = self.monthly_rows
        clin = self.is_clin[R["seat"]]
        inp = clin & (self.seat_prog[R["seat"]] == self.caseload_prog)
        late = R["month"] >= self.caseload_month + 3
        return {"program_id": self.programs[self.caseload_prog][0], "name": self.programs[self.caseload_prog][1],
                "start_month": self._month(self.caseload_month), "caseload_range": [45, 60],
                "share_of_clinician_seats": round(float(self.caseload_seats.sum()
                                                         / max(1, (self.is_clin & (self.seat_prog == self.caseload_prog)).sum())), 2),
                "positions": [self.seat_id[s] for s in np.nonzero(self.caseload_seats)[0]],
                "mean_caseload_before": _mean(R["clients"][inp & (R["month"] < self.caseload_month)]),
                "mean_caseload_after": _mean(R["clients"][inp & late]),
                "mean_caseload_elsewhere_after": _mean(R["clients"][clin & ~inp & late]),
                "hazard": {"reference_clients": CASELOAD_REFERENCE,
                           "hazard_multiplier_per_10_clients": CASELOAD_MULT_PER_10}}

    def _doc_program(self):
        if self.doc_prog is None:
            return None
        R = self.monthly_rows
        clin = self.is_clin[R["seat"]]
        inp = clin & (self.seat_prog[R["seat"]] == self.doc_prog)
        late = R["month"] >= self.doc_month

        def ratio(mask):
            s = R["session_hours"][mask].sum()
            return round(float(R["doc_hours"][mask].sum() / s), 3) if s else None

        return {"program_id": self.programs[self.doc_prog][0], "name": self.programs[self.doc_prog][1],
                "start_month": self._month(self.doc_month), "ratio_range": [1.05, 1.35],
                "positions": [self.seat_id[s] for s in np.nonzero(self.doc_seats)[0]],
                "ratio_after": ratio(inp & late), "ratio_before": ratio(inp & ~late),
                "ratio_elsewhere": ratio(clin & ~inp), "hazard_multiplier": DOC_MULT}

    # ---------------------------------------------------------------- write
    def write(self, out: Path, truth: dict) -> None:
        out.mkdir(parents=True, exist_ok=True)
        T, D = self.ten, self.D
        ids = _lut(self.staff_ids)
        lo_day = int(min(T["start"].min(), self.hire.min(), self.client_rows["start"].min()
                         if len(self.client_rows["start"]) else 0))
        dates = _lut([self._iso(d) for d in range(lo_day, D)] + [""])
        empty_date = D - lo_day

        def dcode(days, open_=None):
            c = np.asarray(days, np.int64) - lo_day
            if open_ is not None:
                c = np.where(open_, empty_date, c)
            return c

        who = np.nonzero(self.written)[0]               # everyone, unless export_from left some out
        exited = self.exit_day >= 0
        disc = _lut(sorted({d for d, _ in self.discipline}))
        lic = _lut(sorted({l for _, l in self.discipline}))
        dmap = {v: i for i, v in enumerate(disc.values)}
        lmap = {v: i for i, v in enumerate(lic.values)}
        tt = _lut(["", *[k for k, _ in _TERMINATION]])
        tmap = {v: i for i, v in enumerate(tt.values)}
        reasons = _lut(["", _SUPERVISOR_REASON, *sorted({r for v in _REASONS.values() for r in v})])
        rmap = {v: i for i, v in enumerate(reasons.values)}
        _write_csv(out / "staff.csv", ["staff_id", "name", "discipline", "hire_date", "termination_date",
                                       "termination_type", "termination_reason", "fte", "annual_salary",
                                       "license"],
                   [(ids, who), (_lut(self.names), who),
                    (disc, np.array([dmap[d] for d, _ in self.discipline], np.int64)[who]),
                    (dates, dcode(self.hire)[who]), (dates, dcode(self.exit_day, ~exited)[who]),
                    (tt, np.array([tmap[x] for x in self.ttype], np.int64)[who]),
                    (reasons, np.array([rmap[x] for x in self.treason], np.int64)[who]),
                    ("dec1", self.fte[who]), ("int", self.salary[who]),
                    (lic, np.array([lmap[l] for _, l in self.discipline], np.int64)[who])])
        P = self.programs
        _write_csv(out / "programs.csv", ["program_id", "name", "service_line"],
                   [(_lut([p[0] for p in P]), np.arange(len(P))), (_lut([p[1] for p in P]), np.arange(len(P))),
                    (_lut([p[2] for p in P]), np.arange(len(P)))])
        ns = self.n_seats
        has_b = ~np.isnan(self.budget)
        _write_csv(out / "positions.csv", ["position_id", "title", "program_id", "role_kind", "budgeted_caseload",
                                           "capacity"],
                   [(_lut(self.seat_id), np.arange(ns)), (_lut(self.seat_title), np.arange(ns)),
                    (_lut([p[0] for p in P]), self.seat_prog), (_lut(list(self.seat_role)), np.arange(ns)),
                    (_lut(["", *[str(int(x)) for x in range(0, 200)]]),
                     np.where(has_b, np.nan_to_num(self.budget).astype(int) + 1, 0)),
                    ("int", np.ones(ns, np.int64))])
        seat_lut = _lut(self.seat_id)
        a_open = T["e"] > D
        _write_csv(out / "assignments.csv", ["staff_id", "position_id", "start_date", "end_date"],
                   [(ids, T["person"]), (seat_lut, T["seat"]), (dates, dcode(T["start"])),
                    (dates, dcode(np.minimum(T["e"], D) - 1, a_open))])
        S = self.sup
        s_open = S["b"] > D
        _write_csv(out / "supervision.csv", ["staff_id", "supervisor_id", "start_date", "end_date"],
                   [(ids, S["staff"]), (ids, S["sup"]), (dates, dcode(S["a"])),
                    (dates, dcode(S["b"] - 1, s_open))])
        R = _one_row_per_month(self.monthly_rows)
        months = _lut([self._month(m) for m in range(self.nm)])
        _write_csv(out / "caseload.csv", ["staff_id", "month", "active_clients"],
                   [(ids, R["staff"]), (months, R["month"]), ("int", R["clients"])])
        _write_csv(out / "documentation.csv", ["staff_id", "month", "session_hours", "documentation_hours"],
                   [(ids, R["staff"]), (months, R["month"]), ("dec1", R["session_hours"]),
                    ("dec1", R["doc_hours"])])
        X = self.sessions_rows
        _write_csv(out / "supervision_sessions.csv", ["supervisor_id", "staff_id", "date", "minutes"],
                   [(ids, X["sup"]), (ids, X["staff"]), (dates, dcode(X["day"])), ("int", X["minutes"])])
        C = self.client_rows
        nc = len(C["start"])
        cw = max(6, len(str(nc)))
        _write_csv(out / "client_assignments.csv", ["client_id", "staff_id", "start_date", "end_date"],
                   [(("prefix", b"C", cw), np.arange(1, nc + 1, dtype=np.int64)), (ids, C["staff"]), (dates, dcode(C["start"])),
                    (dates, dcode(np.minimum(C["end"], D) - 1, C["open"]))])
        if self.export_from is None:
            toml = ("# Written by `orgraph synth`: the export covers "
                    f"{self.start.isoformat()} to {self.end.isoformat()};\n# people who left before it are not in "
                    f"the files.\n[data]\nstart = \"{self.start.isoformat()}\"\nend = \"{self.end.isoformat()}\"\n")
        else:                # an export that does not say where it starts: orgraph has to infer it
            toml = (f"# Written by `orgraph synth --export-from`: the export ends on {self.end.isoformat()};\n"
                    "# its first day is not stated (see truth.json).\n"
                    f"[data]\nend = \"{self.end.isoformat()}\"\n")
        (out / "orgraph.toml").write_text(toml, encoding="utf-8")
        (out / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _one_row_per_month(R: dict) -> dict:
    """Merge the rows of a person who changed seats within a month (clients: the larger, hours: summed)."""
    st, m = R["staff"], R["month"]
    new = np.r_[True, (st[1:] != st[:-1]) | (m[1:] != m[:-1])]
    if new.all():
        return R
    at = np.nonzero(new)[0]
    return {"staff": st[at], "month": m[at], "clients": np.maximum.reduceat(R["clients"], at),
            "session_hours": np.round(np.add.reduceat(R["session_hours"], at), 1),
            "doc_hours": np.round(np.add.reduceat(R["doc_hours"], at), 1)}


def _mean(x):
    return round(float(np.mean(x)), 1) if len(x) else None


def _gaps(seats, s_seat, s_a, s_b, tmin, D):
    """Vacant stretches of each seat in ``[tmin, D)``, given its sorted holder intervals."""
    n = len(s_seat)
    starts = np.searchsorted(s_seat, seats, "left")
    ends = np.searchsorted(s_seat, seats, "right")
    # before the first holder, between holders, after the last
    g_seat = [seats[starts == ends]]
    g_a = [np.full((starts == ends).sum(), tmin)]
    g_b = [np.full((starts == ends).sum(), D)]
    if n:
        first = np.r_[True, s_seat[1:] != s_seat[:-1]]
        last = np.r_[s_seat[1:] != s_seat[:-1], True]
        g_seat += [s_seat[first], s_seat[:-1][~first[1:]], s_seat[last]]
        g_a += [np.full(first.sum(), tmin), s_b[:-1][~first[1:]], s_b[last]]
        g_b += [s_a[first], s_a[1:][~first[1:]], np.full(last.sum(), D)]
    gs, ga, gb = (np.concatenate(x).astype(np.int64) for x in (g_seat, g_a, g_b))
    ok = gb > ga
    return gs[ok], ga[ok], gb[ok]


# ------------------------------------------------------------- CSV writing
class _lut:
    """A lookup table of CSV-ready field values as a NUL-padded byte matrix."""

    def __init__(self, values):
        self.values = list(values)
        enc = [_field(v).encode("utf-8") for v in self.values]
        w = max([len(e) for e in enc] + [1])
        self.width = w
        self.mat = np.frombuffer(b"".join(e.ljust(w, b"\0") for e in enc), np.uint8).reshape(len(enc), w)


def _field(v: str) -> str:
    v = str(v)
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def _digits(v: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative integers, zero-padded to ``width``."""
    v = np.asarray(v, np.int64).copy()
    out = np.empty((len(v), width), np.uint8)
    for j in range(width - 1, -1, -1):
        out[:, j] = v % 10 + 48
        v //= 10
    return out


_INT_LUTS: dict[int, _lut] = {}


def _int_lut(n: int) -> "_lut":
    """A lookup table of the decimal strings of 0 .. n-1 (cached by size)."""
    size = 1 << max(10, int(n - 1).bit_length())
    if size not in _INT_LUTS:
        _INT_LUTS[size] = _lut([str(i) for i in range(size)])
    return _INT_LUTS[size]


def _dec1_lut(n: int) -> "_lut":
    size = 1 << max(10, int(n - 1).bit_length())
    key = -size
    if key not in _INT_LUTS:
        _INT_LUTS[key] = _lut([f"{i // 10}.{i % 10}" for i in range(size)])
    return _INT_LUTS[key]


def _column(spec, data) -> np.ndarray:
    if isinstance(spec, _lut):
        return spec.mat[np.asarray(data, np.int64)]
    if spec == "int":
        v = np.asarray(data, np.int64)
        top = int(v.max()) + 1 if len(v) else 1
        if top <= 4096:
            return _int_lut(top).mat[v]
        w = len(str(top))
        d = _digits(v, w)
        lead = d[:, :w - 1]
        lead[v[:, None] < 10 ** np.arange(w - 1, 0, -1)[None, :]] = 0
        return d
    if spec == "dec1":
        tenths = np.round(np.asarray(data, float) * 10).astype(np.int64)
        return _dec1_lut(int(tenths.max()) + 1 if len(tenths) else 1).mat[tenths]
    if isinstance(spec, tuple) and spec[0] == "prefix":
        _, prefix, width = spec
        pre = np.frombuffer(prefix, np.uint8)
        return np.hstack([np.broadcast_to(pre, (len(data), len(pre))), _digits(data, width)])
    raise ValueError(spec)


def _write_csv(path: Path, header: list[str], columns, chunk: int = 200_000) -> None:
    """Write columns (``(spec, data)`` pairs) as CSV.

    Each chunk of lines is built as one byte matrix: every field right-padded
    with NUL bytes, separators in between; dropping the NULs gives the text.
    """
    n = len(columns[0][1])
    with open(path, "wb") as f:
        f.write((",".join(header) + "\n").encode("utf-8"))
        for lo in range(0, n, chunk):
            k = min(chunk, n - lo)
            cols = [_column(spec, np.asarray(data)[lo:lo + k]) for spec, data in columns]
            width = sum(c.shape[1] for c in cols) + len(cols)
            mat = np.zeros((k, width), np.uint8)
            x = 0
            for j, c in enumerate(cols):
                mat[:, x:x + c.shape[1]] = c
                x += c.shape[1]
                mat[:, x] = ord(",") if j < len(cols) - 1 else ord("\n")
                x += 1
            flat = mat.ravel()
            f.write(flat[flat != 0].tobytes())
