"""Commands for the three core analyses: ``cascades``, ``overload`` and ``churn``."""
from __future__ import annotations

import click

from ..analyses.cascades import flatten_cascades, supervisor_cascades
from ..analyses.churn import churn_seats
from ..analyses.overload import overloaded_supervisors
from .options import as_of_option, emit, format_option, open_source, source_argument

__all__ = ["COMMANDS", "cascades_cmd", "overload_cmd", "churn_cmd"]


def _p_text(rows: list[dict], keys=("p_value", "p_adjusted")) -> list[dict]:
    """P-values as text with 3 significant digits, so 0.0503 is not shown as 0.05 in a table."""
    out = []
    for r in rows:
        r = dict(r)
        for k in keys:
            if isinstance(r.get(k), float):
                r[k] = f"{r[k]:.3g}"
        out.append(r)
    return out


def _ci(lo, hi) -> str:
    if lo is None:
        return "n/a"
    return f"{lo:.2f} to {hi:.2f}" if hi is not None else f"{lo:.2f} to unbounded"


@click.command("cascades")
@source_argument
@click.option("--window-days", type=click.IntRange(1), default=None,
              help="Days after a supervisor's exit in which supervisee exits count. [default: 180 or orgraph.toml]")
@click.option("--lookback-days", type=click.IntRange(1), default=None,
              help="Who counts as the supervisor's team: supervised in this many days before the exit. [default: 30]")
@click.option("--min-observed", type=click.IntRange(1), default=None,
              help="Exits needed to flag a cascade. [default: 2]")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Flag when the adjusted p-value (Benjamini-Hochberg) is below this. [default: 0.05]")
@click.option("--flagged", "flagged_only", is_flag=True, help="Show only flagged cascades.")
@as_of_option
@format_option
def cascades_cmd(source, window_days, lookback_days, min_observed, alpha, flagged_only, as_of, fmt):
    """Supervisor exits followed by more team exits than ordinary turnover predicts."""
    res = supervisor_cascades(open_source(source), window_days=window_days, lookback_days=lookback_days,
                              min_observed=min_observed, alpha=alpha, as_of=as_of)
    if flagged_only:
        res["cascades"] = [c for c in res["cascades"] if c["flagged"]]
    if fmt == "json":
        emit(res, fmt)
        return
    rows = sorted(flatten_cascades(res), key=lambda r: (r["p_adjusted"] is None, r["p_adjusted"] or 0))
    o, st = res["org"], res["settings"]
    cols = ["supervisor_id", "exit_date", "cohort_size", "observed", "expected", "relative_risk", "ci_low",
            "ci_high", "p_adjusted", "flagged", "window_complete", "departures", "parent"]
    title = (f"Supervisor exits and the team exits in the {st['window_days']} days after "
             f"({o['supervisor_exits']} supervisor exits, {o['flagged']} flagged cascades)")
    footer = None
    if o["hazard_ratio"] is not None:
        footer = (f"Org level: staff whose supervisor had left in the previous {st['window_days']} days left at "
                  f"{o['hazard_ratio']:.2f} times the usual rate (95% CI {_ci(o['ci_low'], o['ci_high'])}; "
                  f"{o['exposed_exits']} exits in {o['exposed_person_days']:,.0f} person-days versus "
                  f"{o['baseline_exits']} in {o['baseline_person_days']:,.0f}).")
    if fmt == "table":
        rows = _p_text(rows)
    emit(rows, fmt, columns=None if fmt == "csv" else cols, title=title, footer=footer)


@click.command("overload")
@source_argument
@click.option("--max-span", type=click.FloatRange(0), default=None,
              help="Flag supervisors whose average number of direct supervisees is above this. [default: 8]")
@click.option("--max-supervisee-caseload", type=click.FloatRange(0), default=None,
              help="Flag when supervisees' active clients, summed, average above this per month. [default: 250]")
@click.option("--min-delivered-ratio", type=click.FloatRange(0), default=None,
              help="Flag when supervision delivered is below this share of what policy requires. [default: 0.5]")
@click.option("--required-hours-per-week", type=click.FloatRange(0), default=None,
              help="Policy: supervision hours per clinician supervisee per week. [default: 1.0]")
@click.option("--min-signals", type=click.IntRange(1, 3), default=None,
              help="Flag when at least this many of span, supervisee caseload and supervision delivered exceed "
                   "their limits (all of them when the bundle has fewer). [default: 2]")
@click.option("--all", "show_all", is_flag=True, help="List every supervisor, not only the overloaded ones.")
@as_of_option
@format_option
def overload_cmd(source, max_span, max_supervisee_caseload, min_delivered_ratio, required_hours_per_week,
                 min_signals, show_all, as_of, fmt):
    """Supervisors carrying too many people, clients or unmet supervision hours, and what it costs in exits."""
    res = overloaded_supervisors(open_source(source), max_span=max_span,
                                 max_supervisee_caseload=max_supervisee_caseload,
                                 min_delivered_ratio=min_delivered_ratio,
                                 required_hours_per_week=required_hours_per_week, min_signals=min_signals,
                                 as_of=as_of)
    if fmt == "json":
        emit(res, fmt)
        return
    rows = res["supervisors"] if (show_all or fmt == "csv") else [s for s in res["supervisors"] if s["overloaded"]]
    cols = ["supervisor_id", "mean_span", "max_span", "total_span", "supervisee_caseload", "own_caseload",
            "programs", "supervision_hours_delivered", "supervision_hours_required", "overloaded", "reasons"]
    n_over = sum(s["overloaded"] for s in res["supervisors"])
    title = f"Overloaded supervisors: {n_over} of {len(res['supervisors'])} people who supervise"
    rr = res["rate_ratio"]
    bands = ", ".join(f"{b['band']}: {b['share']:.0%}" for b in res["bands"] if b["share"] is not None)
    footer = f"Direct span (average), share of supervisors per band: {bands or 'n/a'}."
    if rr["rate_ratio"] is not None:
        footer += (f"\nSupervisees of overloaded supervisors left at {rr['rate_ratio']:.2f} times the rate of "
                   f"others (95% CI {_ci(rr['ci_low'], rr['ci_high'])}; {rr['exits_overloaded']} exits in "
                   f"{rr['person_days_overloaded']:,.0f} person-days versus {rr['exits_other']} in "
                   f"{rr['person_days_other']:,.0f}).")
    emit(rows, fmt, columns=None if fmt == "csv" else cols, title=title, footer=footer)


@click.command("churn")
@source_argument
@click.option("--window-months", type=click.IntRange(1), default=None,
              help="Rolling window for counting a seat's holders. [default: 24]")
@click.option("--min-holders", type=click.IntRange(1), default=None,
              help="Holders within one window before a seat is considered. [default: 3]")
@click.option("--fdr", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="False discovery rate: flag seats whose adjusted p-value is below this. [default: 0.10]")
@click.option("--all", "show_all", is_flag=True, help="List every seat, not only flagged and watch seats.")
@as_of_option
@format_option
def churn_cmd(source, window_months, min_holders, fdr, show_all, as_of, fmt):
    """Seats that lose their holders more often than ordinary turnover explains."""
    res = churn_seats(open_source(source), window_months=window_months, min_holders=min_holders, fdr=fdr,
                      as_of=as_of)
    if fmt == "json":
        emit(res, fmt)
        return
    seats = res["seats"] if (show_all or fmt == "csv") else [s for s in res["seats"] if s["flagged"] or s["watch"]]
    rows = [{k: v for k, v in s.items() if k != "departures"} for s in seats]
    cols = ["position_id", "title", "program_id", "holders", "exits", "expected", "median_tenure_days",
            "vacancy_days", "p_adjusted", "flagged", "watch", "shared_factors"]
    n_f = sum(s["flagged"] for s in res["seats"])
    n_w = sum(s["watch"] for s in res["seats"])
    st = res["settings"]
    title = (f"Churn seats: {n_f} flagged, {n_w} to watch (at least {st['min_holders']} holders in "
             f"{st['window_months']} months; flagged when exits beat the role's usual rate at FDR {st['fdr']:g})")
    if fmt == "table":
        rows = _p_text(rows)
    emit(rows, fmt, columns=None if fmt == "csv" else cols, title=title)


COMMANDS = [cascades_cmd, overload_cmd, churn_cmd]
