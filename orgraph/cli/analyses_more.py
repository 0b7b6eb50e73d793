"""Commands for the remaining audit questions: ``caseload``, ``docburden``, ``leading``, ``common``,
``continuity`` and ``risk``."""
from __future__ import annotations

import click

from ..analyses.caseload import caseload_distribution
from ..analyses.common import departure_factors
from ..analyses.continuity import continuity_of_care
from ..analyses.docburden import documentation_burden
from ..analyses.leading import supervisor_leading_indicator
from ..analyses.risk import risk_list
from .options import DATE, as_of_option, emit, format_option, open_source, source_argument

__all__ = ["COMMANDS", "caseload_cmd", "docburden_cmd", "leading_cmd", "common_cmd", "continuity_cmd", "risk_cmd"]

_TABLE_LIMIT = 50


def _ci(rr: dict) -> str:
    lo, hi = rr.get("ci_low"), rr.get("ci_high")
    if lo is None:
        return "n/a"
    return f"{lo:.2f} to {hi:.2f}" if hi is not None else f"{lo:.2f} to unbounded"


def _rate_line(rr: dict, who: str) -> str:
    if rr.get("exits", 0) + rr.get("reference_exits", 0) == 0:
        return f"Exit rate of {who}: no exits to compare."
    ratio = "n/a (no exits in the comparison group)" if rr["rate_ratio"] is None else f"{rr['rate_ratio']:.2f}"
    return (f"Exit rate of {who}: {rr['exit_rate_per_year'] or 0:.2f} per person-year against "
            f"{rr['reference_exit_rate_per_year'] or 0:.2f} for {rr['reference']}; rate ratio {ratio} "
            f"(95% CI {_ci(rr)}; {rr['exits']} exits in {rr['person_years']} person-years versus "
            f"{rr['reference_exits']} in {rr['reference_person_years']}).")


def _show(res: dict, fmt: str, key: str, *, columns=None, title=None, footer=None) -> None:
    if fmt == "json":
        emit(res, fmt)
        return
    rows = res[key]
    if fmt == "table" and len(rows) > _TABLE_LIMIT:
        more = f"(showing {_TABLE_LIMIT} of {len(rows)} rows; use --format csv for all)"
        footer = more if not footer else f"{more}\n{footer}"
        rows = rows[:_TABLE_LIMIT]
    emit(rows, fmt, columns=None if fmt == "csv" else columns, title=title, footer=footer)


@click.command("caseload")
@source_argument
@click.option("--percentile", type=click.FloatRange(0, 100, min_open=True, max_open=True), default=None,
              help="A caseload is high above this percentile of the month's caseloads. [default: 90]")
@click.option("--consecutive-months", type=click.IntRange(1), default=None,
              help="Months in a row above it that make a caseload sustained. [default: 3]")
@click.option("--by", "view", type=click.Choice(["program", "supervisor", "month", "sustained"]), default="program",
              show_default=True, help="Which table to show.")
@as_of_option
@format_option
def caseload_cmd(source, percentile, consecutive_months, view, as_of, fmt):
    """Caseload distribution by month, program and supervisor, and who carries sustained high caseloads."""
    res = caseload_distribution(open_source(source), percentile=percentile, consecutive_months=consecutive_months,
                                as_of=as_of)
    st = res["settings"]
    key = {"program": "by_program", "supervisor": "by_supervisor", "month": "by_month", "sustained": "sustained"}[view]
    titles = {
        "program": "Caseloads by program (all months; cut-off = the org's monthly percentile)",
        "supervisor": "Caseloads of each supervisor's supervisees (all months)",
        "month": "Caseload distribution by month",
        "sustained": (f"People above the {st['percentile']:g}th percentile for {st['consecutive_months']}+ "
                      f"consecutive months"),
    }
    footer = res["summary"] + "\n" + _rate_line(res["exit_rate"], "people in sustained high caseload")
    _show(res, fmt, key, title=titles[view], footer=footer)


@click.command("docburden")
@source_argument
@click.option("--threshold", type=click.FloatRange(0, min_open=True), default=None,
              help="Documentation hours per session hour counted as high. [default: 1.0]")
@click.option("--by", "view", type=click.Choice(["program", "person", "month", "high"]), default="program",
              show_default=True, help="Which table to show ('high': people at or above the threshold).")
@as_of_option
@format_option
def docburden_cmd(source, threshold, view, as_of, fmt):
    """Documentation hours per session hour by person, program and month; who is at or above 1.0."""
    res = documentation_burden(open_source(source), threshold=threshold, as_of=as_of)
    thr = res["settings"]["threshold"]
    key = {"program": "by_program", "person": "by_person", "month": "by_month", "high": "at_or_above"}[view]
    titles = {"program": "Documentation burden by program (pooled hours)",
              "person": "Documentation burden by person", "month": "Documentation burden by month",
              "high": f"People documenting at least {thr:g} hour(s) per session hour"}
    footer = res["summary"] + "\n" + _rate_line(res["exit_rate"], "people after a high-burden month")
    _show(res, fmt, key, title=titles[view], footer=footer)


@click.command("leading")
@source_argument
@click.option("--lag-quarters", type=click.IntRange(1), default=None,
              help="Quarters after a supervisor exit in which clinician exits are compared. [default: 2]")
@click.option("--lookback-days", type=click.IntRange(1), default=None,
              help="A leaver counts as a supervisor if they supervised someone in these days. [default: 30]")
@click.option("--by", "view", type=click.Choice(["lag", "program", "quarter"]), default="lag", show_default=True,
              help="Which table to show.")
@as_of_option
@format_option
def leading_cmd(source, lag_quarters, lookback_days, view, as_of, fmt):
    """Supervisor exits as a leading indicator of clinician exits, by program and quarter."""
    res = supervisor_leading_indicator(open_source(source), lag_quarters=lag_quarters, lookback_days=lookback_days,
                                       as_of=as_of)
    key = {"lag": "lags", "program": "by_program", "quarter": "program_quarters"}[view]
    titles = {"lag": "Clinician exit rate in program-quarters a given number of quarters after a supervisor exit",
              "program": "By program: clinician exits after a supervisor exit versus otherwise",
              "quarter": "Program-quarters: supervisor exits and clinician exits"}
    cols = None
    if view == "lag":
        cols = ["lag_quarters", "exits", "person_years", "exit_rate_per_year", "reference_exits",
                "reference_exit_rate_per_year", "rate_ratio", "ci_low", "ci_high", "p_value"]
    _show(res, fmt, key, columns=cols, title=titles[view], footer=res["sentence"])


@click.command("common")
@source_argument
@click.option("--start", type=DATE, default=None, help="First day of the period (YYYY-MM-DD).")
@click.option("--end", type=DATE, default=None, help="Last day of the period. [default: --as-of or the data end]")
@click.option("--period-months", type=click.IntRange(1), default=None,
              help="Period length when --start is not given. [default: 12]")
@click.option("--recent-supervisor-days", type=click.IntRange(1), default=None,
              help="'Supervisor recently left' means within this many days. [default: 180]")
@click.option("--min-cell", type=click.IntRange(1), default=None,
              help="Hide groups of fewer people than this. [default: 5, from [privacy] min_cell]")
@click.option("--voluntary-only", is_flag=True, help="Count only voluntary exits.")
@click.option("--over-represented", "only_over", is_flag=True, help="Show only over-represented groups.")
@as_of_option
@format_option
def common_cmd(source, start, end, period_months, recent_supervisor_days, min_cell, voluntary_only, only_over,
               as_of, fmt):
    """What departures in a period have in common, against the people who stayed."""
    res = departure_factors(open_source(source), start=start, end=end, as_of=as_of, period_months=period_months,
                            recent_supervisor_days=recent_supervisor_days, min_cell=min_cell,
                            termination_types=["voluntary"] if voluntary_only else None)
    if only_over:
        res["records"] = [r for r in res["records"] if r["over_represented"]]
    p = res["period"]
    title = (f"Exit rates by group, {p['start']} to {p['end']}: {res['exits']} exits among {res['people']} people "
             f"(each group against everyone else)")
    cols = ["factor", "level", "people", "leavers", "exits", "exit_rate_per_year", "rate_ratio", "ci_low",
            "ci_high", "p_adjusted", "over_represented"]
    hidden = sum(res["suppressed"].values())
    footer = res["summary"]
    if hidden:
        footer += f"\n{hidden} group(s) of fewer than {res['settings']['min_cell']} people are hidden."
    _show(res, fmt, "records", columns=cols, title=title, footer=footer)


@click.command("continuity")
@source_argument
@click.option("--handoff-days", type=click.IntRange(0), default=None,
              help="Assignments ended this many days before the exit still count as cut short. [default: 14]")
@click.option("--pickup-days", type=click.IntRange(0), default=None,
              help="A client is picked up when a new clinician starts within this many days. [default: 30]")
@click.option("--by", "view", type=click.Choice(["program", "exit", "year"]), default="program", show_default=True,
              help="Which table to show.")
@as_of_option
@format_option
def continuity_cmd(source, handoff_days, pickup_days, view, as_of, fmt):
    """Clients whose clinician left mid-treatment: per exit, per program and per year."""
    res = continuity_of_care(open_source(source), handoff_days=handoff_days, pickup_days=pickup_days, as_of=as_of)
    key = {"program": "by_program", "exit": "by_exit", "year": "by_year"}[view]
    titles = {"program": "Clients whose clinician left mid-treatment, by program",
              "exit": "Clients affected by each staff exit", "year": "Clients affected by year"}
    _show(res, fmt, key, title=titles[view], footer=res["summary"])


@click.command("risk")
@source_argument
@click.option("--top", type=click.IntRange(1), default=None, help="Show the first N people.")
@click.option("--program", default=None, help="Only people in this program (program id).")
@click.option("--supervisor", default=None, help="Only people supervised by this staff id.")
@click.option("--window-days", type=click.IntRange(1), default=None,
              help="'Supervisor left' means within this many days. [default: 180]")
@click.option("--min-exits", type=click.IntRange(1), default=None,
              help="Exits in the history needed to fit the weights. [default: 10]")
@as_of_option
@format_option
def risk_cmd(source, top, program, supervisor, window_days, min_exits, as_of, fmt):
    """Who is at risk of leaving on a date, with the risk factors that apply and a score fitted on the org's past."""
    res = risk_list(open_source(source), as_of=as_of, top=top, program=program, supervisor=supervisor,
                    window_days=window_days, min_exits=min_exits)
    if fmt == "csv":
        res = dict(res, records=[dict(r, factors="; ".join(r["factors"]), details=" | ".join(r["details"]))
                                 for r in res["records"]])
    cols = ["rank", "staff_id", "name", "role_kind", "program_id", "supervisor_id", "factors", "relative_hazard",
            "exit_probability"]
    weights = "; ".join(
        f"{w['factor'].replace('_', ' ')} x{w['hazard_ratio']:.2f}" + ("" if w["weight"] > 0 else " (weight 0)")
        for w in res["weights"] if w["hazard_ratio"] is not None)
    title = (f"Risk of leaving as of {res['as_of']}: {res['with_factors']} of {res['employed']} employed people "
             f"have at least one risk factor")
    footer = (f"{res['summary']}\nHazard ratios fitted on {res['fit']['exits']} exits before {res['as_of']}: "
              f"{weights or 'none could be fitted'}.\nexit_probability = chance of leaving within "
              f"{res['settings']['horizon_days']} days at the person's rate.")
    _show(res, fmt, "records", columns=cols, title=title, footer=footer)


COMMANDS = [caseload_cmd, docburden_cmd, leading_cmd, common_cmd, continuity_cmd, risk_cmd]
