"""Every analysis, listed once.

:data:`ANALYSES` names each analysis with its function, the settings its
command-line options set, the tables it can show, and the report functions
that turn its :class:`~orgraph.result.Result` into findings, captions and map
flags. The command line, the audit, the maps and the documentation tests all
iterate this list: adding an analysis means writing its module, its test, its
docs entry and one :class:`Analysis` here (docs/architecture.md shows how).

Examples
--------
>>> [a.name for a in ANALYSES][:3]
['cascades', 'overload', 'churn']
>>> get("churn").settings["fdr"]
('churn', 'fdr')
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from typing import Callable

from .analyses import shared
from .beside import available, start
from .analyses.cascades import flatten_cascades, supervisor_cascades
from .analyses.caseload import caseload_distribution
from .analyses.churn import churn_seats
from .analyses.continuity import continuity_of_care
from .analyses.retention import retention_curves
from .analyses.cost import turnover_cost
from .analyses.departures import departure_factors
from .analyses.docburden import documentation_burden
from .analyses.effects import exit_effects
from .analyses.leading import supervisor_leading_indicator
from .analyses.overload import overloaded_supervisors
from .analyses.risk import risk_list
from .errors import AnalysisError, ConfigError
from .graph import as_date
from .report import captions, findings, flags
from .result import Result

#: What joins an analysis's label and the reason it could not answer, in the notes of :func:`run_analyses`.
NOT_RUN = ": not run — "

__all__ = ["NOT_RUN", "BESIDE", "Analysis", "Option", "Filter", "View", "ANALYSES", "get", "run_analyses", "map_flags", "flags_as_of"]


@dataclass(frozen=True)
class Option:
    """A command-line option of an analysis that is not a setting.

    ``kind`` is ``"text"``, ``"int"``, ``"date"`` or ``"flag"``. The option
    fills the function's keyword ``param`` (default: ``name``); a flag fills it
    with ``value``.
    """

    name: str
    help: str
    kind: str = "text"
    param: str | None = None
    value: object = None
    minimum: int | None = None

    @property
    def keyword(self) -> str:
        return self.param or self.name


@dataclass(frozen=True)
class Filter:
    """A flag that narrows the rows shown.

    With ``when="given"`` the rows are narrowed to those ``keep`` accepts when
    the flag is given; with ``when="absent"`` the readable table shows only
    those rows unless the flag (``--all``, say) is given.
    """

    name: str
    help: str
    keep: Callable[[dict], bool]
    when: str = "given"


@dataclass(frozen=True)
class View:
    """One table of a result: ``key`` in ``Result.extras`` (``None``: the main table), its columns, and
    ``prepare``, which turns its records into flat rows for tables and CSV (nested lists as text, say)."""

    key: str | None = None
    columns: tuple | None = None
    prepare: Callable[[list], list] | None = None


@dataclass(frozen=True)
class Analysis:
    """One analysis and everything the rest of orgraph needs to know about it.

    Parameters
    ----------
    name : str
        Registry name, the command name and ``Result.name``.
    function : callable
        ``function(org, *, as_of=None, **settings) -> Result``.
    label : str
        Shown while the audit runs it.
    help : str
        The command's help text (first line: the question it answers).
    settings : dict
        Function keyword -> ``(section, key)`` in :data:`orgraph.config.DEFAULTS`;
        each becomes a command-line option whose help and default come from there.
    options, filters : tuple
        Further command-line options (:class:`Option`) and row filters (:class:`Filter`).
    views : dict
        ``--by`` choices -> :class:`View`; the first is the default.
    findings : callable, optional
        ``findings(result, ctx) -> list of finding dicts`` (:mod:`orgraph.report.findings`).
    caption : callable, optional
        ``caption(result, view) -> (title, footer)`` for the readable table.
    flags : callable, optional
        ``flags(result, day) -> dict`` of map flags (:mod:`orgraph.report.flags`).
    audit : bool
        Whether the audit runs it.
    reads : frozenset of str
        The kinds of shared table (:func:`orgraph.analyses.shared.kind`) it reads: the audit drops a table
        once no analysis still to run reads its kind (a test checks these against what each analysis reads).
    tables : frozenset of str
        The bundle tables of :data:`RELEASABLE` it reads: with ``release=True`` :func:`run_analyses` lets go of
        such a table (:meth:`orgraph.model.OrgData.release`) once no analysis still to run reads it.
    """

    name: str
    function: Callable[..., Result]
    label: str
    help: str
    settings: dict = field(default_factory=dict)
    options: tuple = ()
    filters: tuple = ()
    views: dict = field(default_factory=lambda: {"table": View()})
    findings: Callable | None = None
    caption: Callable | None = None
    flags: Callable | None = None
    audit: bool = True
    reads: frozenset = frozenset()
    tables: frozenset = frozenset()


_WINDOW = ("cascades", "window_days")


def _cascade_rows(records: list) -> list:
    rows = flatten_cascades(records)
    return sorted(rows, key=lambda r: (r["p_adjusted"] is None, r["p_adjusted"] or 0))


ANALYSES: list[Analysis] = [
    Analysis(
        "cascades", supervisor_cascades, "supervisor-exit cascades",
        "Did teams leave after their supervisor left? Supervisor exits followed by more team exits than ordinary "
        "turnover predicts.",
        settings={"window_days": _WINDOW, "lookback_days": ("cascades", "lookback_days"),
                  "min_observed": ("cascades", "min_observed"), "alpha": ("cascades", "alpha")},
        filters=(Filter("flagged", "Show only flagged cascades.", lambda r: r["flagged"]),),
        views={"table": View(None, ("supervisor_id", "exit_date", "cohort_size", "observed", "expected",
                                    "relative_risk", "ci_low", "ci_high", "p_adjusted", "flagged", "window_complete",
                                    "departures", "parent"), _cascade_rows)},
        findings=findings.cascade_findings, caption=captions.cascades, flags=flags.cascade_flags,
        reads=frozenset({"exposure", "person_time"})),
    Analysis(
        "overload", overloaded_supervisors, "overloaded supervisors",
        "Which supervisors carry more than they can supervise? Supervisors carrying too many people, clients or "
        "unmet supervision hours, and what it costs in exits.",
        settings={k: ("overload", k) for k in ("max_span", "max_supervisee_caseload", "min_delivered_ratio",
                                                 "required_hours_per_week", "min_signals")},
        filters=(Filter("all", "List every supervisor, not only the overloaded ones.", lambda r: r["overloaded"],
                        when="absent"),),
        views={"table": View(None, ("supervisor_id", "mean_span", "max_span", "total_span", "supervisee_caseload",
                                    "own_caseload", "programs", "supervision_hours_delivered",
                                    "supervision_hours_required", "overloaded", "reasons"))},
        findings=findings.overload_findings, caption=captions.overload, flags=flags.overload_flags,
        reads=frozenset({"exposure", "flags", "overload", "person_time"})),
    Analysis(
        "churn", churn_seats, "churn seats",
        "Which seats keep losing their holders? Seats that lose holders more often than ordinary turnover explains.",
        settings={k: ("churn", k) for k in ("window_months", "min_holders", "fdr")},
        filters=(Filter("all", "List every seat, not only flagged and watch seats.",
                        lambda r: r["flagged"] or r["watch"], when="absent"),),
        views={"table": View(None, ("position_id", "title", "program_id", "holders", "exits", "expected",
                                    "median_tenure_days", "vacancy_days", "p_adjusted", "flagged", "watch",
                                    "shared_factors"))},
        findings=findings.churn_findings, caption=captions.churn, flags=flags.churn_flags,
        reads=frozenset({"exposure", "person_time"})),
    Analysis(
        "caseload", caseload_distribution, "caseload distribution",
        "Are caseloads breaking somewhere? Caseload distribution by month, program and supervisor, and who carries "
        "sustained high caseloads.",
        settings={k: ("caseload", k) for k in ("percentile", "consecutive_months")},
        views={"program": View("by_program"), "supervisor": View("by_supervisor"), "month": View("by_month"),
               "sustained": View("sustained")},
        findings=findings.caseload_findings, caption=captions.caseload,
        reads=frozenset({"caseload_runs", "person_months", "person_time"})),
    Analysis(
        "docburden", documentation_burden, "documentation burden",
        "Does documentation take as long as the session? Documentation hours per session hour by person, program "
        "and month.",
        settings={"threshold": ("docburden", "threshold")},
        views={"program": View("by_program"), "person": View("by_person"), "month": View("by_month"),
               "high": View("at_or_above")},
        findings=findings.documentation_findings, caption=captions.docburden,
        reads=frozenset({"doc_ratios", "person_months"})),
    Analysis(
        "leading", supervisor_leading_indicator, "supervisor exits as a leading indicator",
        "Do supervisor exits predict clinician exits? Clinician exits in the quarters after a program loses a "
        "supervisor.",
        settings={k: ("leading", k) for k in ("lag_quarters", "lookback_days")},
        views={"lag": View("lags", ("lag_quarters", "exits", "person_years", "exit_rate_per_year", "reference_exits",
                                    "reference_exit_rate_per_year", "rate_ratio", "ci_low", "ci_high", "p_value")),
               "program": View("by_program"), "quarter": View("program_quarters")},
        findings=findings.leading_findings, caption=captions.leading,
        reads=frozenset({"person_time"})),
    Analysis(
        "effects", exit_effects, "exit effects, each adjusted for the others",
        "Which conditions raise exits, each adjusted for the others? One Poisson regression of exits on person-months: "
        "supervisor left, overloaded supervisor, sustained high caseload and documentation burden, adjusted for role "
        "kind, tenure and calendar year, with the exits attributable to each.",
        settings={"window_days": _WINDOW, "min_exits": ("risk", "min_exits")},
        views={"table": View(None, ("exposure", "exits", "person_years", "rate_ratio", "ci_low", "ci_high",
                                    "p_value", "attributable_exits", "fitted", "reason"))},
        caption=captions.effects,
        reads=frozenset({"caseload_runs", "doc_ratios", "flags", "monthly_factors", "person_months",
                        "supervisor_exit_keys"})),
    Analysis(
        "departures", departure_factors, "what departures have in common",
        "What do the people who left have in common? Exit rates by group in a period, each against everyone else.",
        settings={"period_months": ("departures", "period_months"), "window_days": _WINDOW,
                  "min_cell": ("privacy", "min_cell")},
        options=(Option("start", "First day of the period (YYYY-MM-DD).", "date"),
                 Option("end", "Last day of the period. [default: --as-of or the data end]", "date"),
                 Option("voluntary_only", "Count only voluntary exits.", "flag", param="termination_types",
                        value=("voluntary",))),
        filters=(Filter("over_represented", "Show only over-represented groups.", lambda r: r["over_represented"]),),
        views={"table": View(None, ("factor", "level", "people", "leavers", "exits", "exit_rate_per_year",
                                    "rate_ratio", "ci_low", "ci_high", "p_adjusted", "over_represented"))},
        findings=findings.departure_findings, caption=captions.departures,
        reads=frozenset({"monthly_factors"})),
    Analysis(
        "continuity", continuity_of_care, "continuity of care",
        "Which clients lost their clinician mid-treatment? Per exit, per program and per year.",
        settings={k: ("continuity", k) for k in ("handoff_days", "pickup_days")},
        views={"program": View("by_program"), "exit": View("by_exit"), "year": View("by_year")},
        findings=findings.continuity_findings, caption=captions.continuity,
        reads=frozenset(), tables=frozenset({"client_assignments"})),
    Analysis(
        "retention", retention_curves, "retention curves",
        "How long do people stay? The share still here N months after hire (org and programs) and after a "
        "supervisor left (beside everyone else on the same days); Kaplan-Meier, inside the export window.",
        settings={"months": ("retention", "months"), "lookback_days": ("cascades", "lookback_days")},
        views={"table": View(None, ("curve", "group", "people", "exits", "share_6m", "share_12m", "share_24m"))},
        caption=captions.retention,
        reads=frozenset({"exposure", "person_time"})),
    Analysis(
        "risk", risk_list, "who is at risk now",
        "Who is at risk now, and why? People employed on a date, with the risk factors that apply and a score "
        "fitted on the org's past.",
        settings={"window_days": _WINDOW, "min_exits": ("risk", "min_exits")},
        options=(Option("top", "Show the first N people.", "int", minimum=1),
                 Option("program", "Only people in this program (program id)."),
                 Option("supervisor", "Only people supervised by this staff id.")),
        views={"table": View(None, ("rank", "staff_id", "name", "role_kind", "program_id", "supervisor_id",
                                    "factors", "relative_hazard", "exit_probability"))},
        caption=captions.risk,
        reads=frozenset({"caseload_runs", "doc_ratios", "exposure", "flags", "monthly_factors", "overload",
                        "supervisor_exit_keys"})),
    Analysis(
        "cost", turnover_cost, "turnover cost",
        "What does turnover cost? The cost of one exit by role, the cost of exits per period and the assumptions "
        "(change them in the [cost] section of orgraph.toml; docs/cost-model.md gives each default's source).",
        options=(Option("period", "Add up the cost of exits per year, quarter or month. [default: year]"),),
        views={"period": View(None, ("period", "start", "end", "partial", "exits", "cost", "exits_clinician",
                                     "cost_clinician", "exits_supervisor", "cost_supervisor")),
               "role": View("cost_per_exit", ("role_kind", "annual_salary", "recruiting", "onboarding",
                                              "vacancy_days", "vacancy", "ramp_up", "total", "share_of_salary")),
               "exit": View("exits"), "assumptions": View("assumptions", ("key", "value", "set_in", "source"))},
        caption=captions.cost,
        reads=frozenset({"exposure", "vacancy_days_by_role"})),
]


def get(name: str) -> Analysis:
    """The registry entry called ``name``.

    Raises
    ------
    ConfigError
        When no analysis has that name.
    """
    for a in ANALYSES:
        if a.name == name:
            return a
    raise ConfigError(f"no analysis called {name!r}; there are {', '.join(a.name for a in ANALYSES)}")


#: Kinds of shared table the org keeps whatever runs next: per-column codes of the org's own tables, which live
#: as long as the org does.
LASTING = frozenset({"staff_codes"})


#: Kinds of shared table built from the monthly records (caseload and documentation months): the analyses that read
#: them run after the others, so that the person-time panel is let go before the monthly panels grow.
MONTHLY = frozenset({"person_months", "caseload_runs", "doc_ratios", "monthly_factors"})

#: Bundle tables an audit may let go of once their last reader has run (:attr:`Analysis.tables`): the client
#: episodes, the largest table of a bundle, read by continuity of care alone.
RELEASABLE = frozenset({"client_assignments"})

#: Analyses :func:`run_analyses` may run in a second process beside the others (``beside=True``;
#: :mod:`orgraph.beside`), each started at its turn and collected before the first analysis of a monthly
#: panel: none reads a table another analysis writes on the way (continuity of care reads only the client
#: episodes, churn the person-time panels already built), and what each holds while it runs is small beside
#: the monthly panels of the analyses that wait for it.
BESIDE = frozenset({"continuity", "churn"})


def run_order(analyses: list[Analysis]) -> list[Analysis]:
    """The order :func:`run_analyses` runs ``analyses`` in: those that read no shared table first (they can
    let go of their bundle tables before any panel is built), then those that read no monthly panel
    (:data:`MONTHLY`), then the rest; each group in its given order.

    Examples
    --------
    >>> [a.name for a in run_order(ANALYSES)][:7]
    ['continuity', 'cascades', 'overload', 'churn', 'leading', 'retention', 'cost']
    """
    return sorted(analyses, key=lambda a: (bool(a.reads), bool(a.reads & MONTHLY)))


def _between_analyses(freeze: bool) -> None:
    """What an audit does before each analysis: return the memory freed so far to the system, and move every
    object still alive (the loaded org first of all) out of the cyclic garbage collector's reach
    (:func:`gc.freeze`), so that the analysis's collections do not walk them again and again."""
    from .columnar import release_memory

    release_memory()
    if freeze:
        gc.freeze()


def run_analyses(org, *, as_of=None, names=None, progress: Callable[[str], None] | None = None,
                 analyses: list[Analysis] | None = None, then_reads=None,
                 release: bool = False, beside: bool = False) -> tuple[dict, list[str]]:
    """Run analyses as of ``as_of``: ``({name: Result or None}, notes)``, both in the order of ``analyses``
    (default :data:`ANALYSES`) whatever order they ran in (:func:`run_order`; answers do not depend on it).

    One analysis that cannot answer (an :class:`~orgraph.errors.AnalysisError`)
    never stops the others: its result is ``None`` and a note says why. An
    analysis that fails unexpectedly is recorded the same way, with the error
    named as a bug to report, and the rest still runs.

    With ``then_reads`` (the kinds of shared table the caller reads once the
    analyses are done), each shared table is dropped as soon as neither an
    analysis still to run (its :attr:`Analysis.reads`) nor the caller reads its
    kind: an audit's panels do not all stay in memory together. Answers are the
    same either way; a table dropped too early is only built again. Between
    analyses the memory freed goes back to the system, and the objects still
    alive are frozen out of the garbage collector's sweeps until the run ends.

    With ``release=True``, each bundle table of :data:`RELEASABLE` is let go of
    (:meth:`~orgraph.model.OrgData.release`) once no analysis still to run
    reads it (:attr:`Analysis.tables`): for a caller done with the org after
    this run, as the ``orgraph audit`` command is.

    With ``beside=True`` and a second core (:func:`orgraph.beside.available`), each analysis of
    :data:`BESIDE` runs in a second process, started at its turn, while this one goes on with the next; all
    are back before the first analysis that reads a monthly panel (:data:`MONTHLY`) starts, so that their
    memory is not added to the largest panels'. Their answers are the same: the same functions on the same
    data (one whose process ends without an answer is run again here, or noted when its tables were let go
    of meanwhile).
    """
    results: dict = {}
    notes: dict = {}
    wanted = [a for a in (analyses if analyses is not None else ANALYSES) if names is None or a.name in names]
    todo = run_order(wanted)
    freeze = then_reads is not None and not gc.get_freeze_count()   # a caller that froze objects keeps them so
    away = beside and len(todo) > 1 and available()
    if away:
        todo = _soonest(todo)
    sides: list = []                    # (analysis, its second process), in the order they started
    try:
        for i, a in enumerate(todo):
            if sides and a.reads & MONTHLY:
                _collect(sides, results, notes)
            if then_reads is not None:
                shared.keep_only(org, LASTING.union(then_reads, *(b.reads for b in todo[i:])))
                shared.expect(org, LASTING.union(then_reads, *(b.reads for b in todo[i + 1:])))
            if release:
                still = frozenset().union(*(b.tables for b in todo[i:]))
                for name in sorted(RELEASABLE - still - org.data.released):
                    org.data.release(name)
            if then_reads is not None:
                _between_analyses(freeze)
            if progress:
                progress(a.label)
            if away and a.name in BESIDE and i + 1 < len(todo):
                sides.append((a, start(lambda a=a: _run_one(org, a, as_of),
                                       again=lambda a=a: _run_one(org, a, as_of, released=org.data.released))))
                continue
            _keep(a, _run_one(org, a, as_of), results, notes)
        _collect(sides, results, notes)
        if release:
            for name in sorted(RELEASABLE - org.data.released):
                org.data.release(name)
    finally:
        for _, side in sides:           # leaving early (an interrupt): the second processes go too
            side.cancel()
        if then_reads is not None:
            shared.expect(org, None)
        if freeze:
            gc.unfreeze()
    if then_reads is not None:
        shared.keep_only(org, LASTING.union(then_reads))
    return {a.name: results[a.name] for a in wanted}, [notes[a.name] for a in wanted if a.name in notes]


def _soonest(todo: list[Analysis]) -> list[Analysis]:
    """``todo`` with each analysis of :data:`BESIDE` moved up to just after the first analysis that reads
    every kind of shared table it reads (and so has built them), when that one comes before it: started that
    early, a second process overlaps more of the analyses that follow. An analysis of :data:`BESIDE` is never
    that one: what it builds stays in its own process.

    Examples
    --------
    >>> [a.name for a in _soonest(run_order(ANALYSES))][:5]
    ['continuity', 'cascades', 'churn', 'overload', 'leading']
    >>> [a.name for a in _soonest([get("leading"), get("churn")])]     # leading does not build what churn reads
    ['leading', 'churn']
    """
    out = [a for a in todo if a.name not in BESIDE or not a.reads]
    for a in todo:
        if a.name in BESIDE and a.reads:
            at = next((i + 1 for i, b in enumerate(out) if b.name not in BESIDE and a.reads <= b.reads
                       and todo.index(b) < todo.index(a)), None)
            if at is None:              # nothing before it builds its tables: it keeps its place
                at = next((i for i, b in enumerate(out) if todo.index(b) > todo.index(a)), len(out))
            out.insert(at, a)
    return out


def _run_one(org, a: Analysis, as_of, released=frozenset()) -> tuple:
    """Run ``a``: ``(Result or None, note or None)``. An analysis that cannot answer (an
    :class:`~orgraph.errors.AnalysisError`) or fails unexpectedly gets ``None`` and a note; with ``released``
    (tables let go of), one whose tables are gone gets a note that its second process failed."""
    if a.tables & released:
        return None, (f"{a.label}: failed (its second process ended without an answer, and its tables were let go "
                      f"of meanwhile); everything else was run. Run it alone with `orgraph {a.name}`, or the audit "
                      f"with ORGRAPH_PROCESSES=1.")
    try:
        return a.function(org, as_of=as_of), None
    except AnalysisError as exc:
        return None, f"{a.label}{NOT_RUN}{exc}"
    except Exception as exc:  # noqa: BLE001 -- one analysis's failure never stops the others
        return None, (f"{a.label}: failed ({type(exc).__name__}: {exc}); everything else was run. This is a bug "
                      f"in orgraph: please report it with this message.")


def _keep(a: Analysis, answer: tuple, results: dict, notes: dict) -> None:
    """Record ``a``'s ``(result, note)`` from :func:`_run_one`."""
    results[a.name], note = answer
    if note is not None:
        notes[a.name] = note


def _collect(sides: list, results: dict, notes: dict) -> None:
    """Record what the analyses run beside (:func:`orgraph.beside.start` of :func:`_run_one`) answered, and
    empty ``sides``."""
    while sides:
        a, side = sides.pop(0)
        _keep(a, side.result(), results, notes)


def map_flags(results: dict, *, as_of, notes=(), org=None, analyses: list[Analysis] | None = None) -> "flags.MapFlags":
    """Merge what each analysis flags into one :class:`~orgraph.report.flags.MapFlags` for the maps; with
    ``org``, also who is in the window after a supervisor left on ``as_of`` (the cascade cohort rule)."""
    day = as_date(as_of)
    parts = [a.flags(results[a.name], day) for a in (analyses if analyses is not None else ANALYSES)
             if a.flags is not None and results.get(a.name) is not None]
    if org is not None:
        parts.append(flags.post_exit_flags(org, day))
    return flags.merge(parts, notes=notes)


def flags_as_of(org, as_of=None, *, analyses: list[Analysis] | None = None) -> "flags.MapFlags":
    """Run the analyses that flag people or seats on a map, as of ``as_of``, and merge their flags with who is
    in the window after a supervisor left on that day."""
    entries = [a for a in (analyses if analyses is not None else ANALYSES) if a.flags is not None]
    day = as_of if as_of is not None else org.data_end
    results, notes = run_analyses(org, as_of=day, analyses=entries)
    return map_flags(results, as_of=day, notes=notes, org=org, analyses=entries)
