"""``orgraph scenario``: what-ifs in dollars (more census, or a supervisor leaving)."""
from __future__ import annotations

import click

from ..report.scenarios import census_scenario, supervisor_leaves_scenario
from ..render.tables import render
from .options import as_of_option, emit, format_option, open_source, source_argument

__all__ = ["scenario_cmd", "COMMANDS"]

_OPTION_COLS = ["add_fte", "caseload_per_fte", "utilization", "extra_exits", "turnover_cost", "added_salary",
                "revenue_gain", "net_gain"]


@click.command("scenario")
@source_argument
@click.option("--program", help="Program id for a census scenario.")
@click.option("--add-census", type=float, help="Active clients to add to the program.")
@click.option("--add-fte", type=float, default=0.0, show_default=True, help="Clinical FTE to add.")
@click.option("--supervisor", help="Staff id of a supervisor, with --leaves.")
@click.option("--leaves", is_flag=True, help="Price the departure of --supervisor.")
@as_of_option
@format_option
def scenario_cmd(source, program, add_census, add_fte, supervisor, leaves, as_of, fmt):
    """What-if scenarios in dollars.

    \b
    orgraph scenario DATA --program OP --add-census 40 [--add-fte 2]
        expected extra clinician exits, their cost, the revenue gain and the break-even FTE
    orgraph scenario DATA --supervisor S-104 --leaves
        expected extra exits and cost if that supervisor leaves
    """
    census_mode = program is not None or add_census is not None
    sup_mode = supervisor is not None or leaves
    if census_mode == sup_mode:
        raise click.UsageError("give either --program P --add-census N, or --supervisor S --leaves")
    if census_mode and (program is None or add_census is None):
        raise click.UsageError("a census scenario needs both --program and --add-census")
    if sup_mode and not (supervisor and leaves):
        raise click.UsageError("a supervisor scenario needs both --supervisor S and --leaves")
    org = open_source(source)
    if census_mode:
        res = census_scenario(org, program=program, add_census=add_census, add_fte=add_fte, as_of=as_of)
        if fmt != "table":
            emit(res if fmt == "json" else res["options"], fmt, columns=None if fmt == "json" else _OPTION_COLS)
            return
        cur = res["current"]
        click.echo(res["sentence"])
        click.echo()
        who = f"{cur['clinicians']} clinician" + ("" if cur["clinicians"] == 1 else "s")
        click.echo(f"{cur['program']} on {cur['as_of']}: census {cur['census']:g}, {who} "
                   f"on {cur['clinical_fte']:g} FTE, {cur['caseload_per_fte']:.1f} clients per FTE, utilization "
                   f"{cur['utilization']:.0%} ({cur['utilization_source']}), exit rate "
                   f"{(cur['exit_rate_per_year'] or 0):.0%} a year ({cur['exit_rate_source']}).")
        click.echo(f"Caseload-exit relation: {res['relation']['sentence']}")
        click.echo()
        click.echo("Options (extra exits a year and dollars a year):")
        click.echo(render(res["options"], "table", columns=_OPTION_COLS))
        click.echo()
        click.echo(f"Break-even: add {res['break_even_fte']:g} clinical FTE to keep caseload per FTE, and so "
                   f"exits, where they are.")
        for note in res["notes"]:
            click.echo(f"Note: {note}")
        return
    res = supervisor_leaves_scenario(org, supervisor=supervisor, as_of=as_of)
    if fmt != "table":
        emit(res if fmt == "json" else res["supervisees"], fmt)
        return
    click.echo(res["sentence"])
    click.echo()
    hr = res["hazard_ratio"]
    ci = f" (95% CI {hr['ci_low']:.2f}-{hr['ci_high']:.2f})" if hr.get("ci_low") is not None \
        and hr.get("ci_high") is not None else ""
    click.echo(f"Hazard ratio after a supervisor leaves: {hr['hazard_ratio']:.2f}{ci}, from {hr['source']}.")
    click.echo(render(res["supervisees"], "table"))


COMMANDS = [scenario_cmd]
