"""Commands that read a bundle: ``validate`` and ``info``."""
from __future__ import annotations

import click

from ..render.tables import render, to_json
from ..summary import org_summary
from ..validate import validate_bundle
from .options import emit, format_option, load_progress, open_source, source_argument
from ..plain import plural


@click.command("validate")
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option
def validate_cmd(folder, strict, fmt):
    """Check a bundle folder and list every problem with file, line and column.

    Exit code 0 when the bundle loads (warnings allowed), 1 when it has errors.
    """
    with load_progress(folder) as progress:
        _, issues = validate_bundle(folder, strict=strict, progress=progress)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    if fmt == "json":
        click.echo(to_json({"folder": folder, "errors": len(errors), "warnings": len(warnings),
                            "issues": [i.as_dict() for i in issues]}))
    elif fmt == "csv":
        click.echo(render([i.as_dict() for i in issues], "csv",
                          columns=["severity", "file", "line", "column", "rule", "message"]).rstrip("\n"))
    else:
        for i in issues:
            click.echo(str(i))
        verdict = "does not load" if errors else "loads"
        click.echo(f"{folder}: {plural(len(errors), 'error')}, {plural(len(warnings), 'warning')}; the bundle {verdict}.")
    if errors:
        raise SystemExit(1)


@click.command("info")
@source_argument
@format_option
def info_cmd(source, fmt):
    """Summarize an org: people, seats, programs, date range, exits per year."""
    s = org_summary(open_source(source))
    if fmt != "table":
        emit(s if fmt == "json" else s["exits_by_year"], fmt)
        return
    click.echo(f"{s['source']}")
    ext = (f"; not counted: {s['external_staff']} external manager{'' if s['external_staff'] == 1 else 's'}"
           if s["external_staff"] else "")
    click.echo(f"  people:        {s['staff']} ({s['staff_active']} employed on {s['date_to']}{ext})")
    inf = f" ({s['inferred_positions']} inferred by the import's [seats] rule)" if s["inferred_positions"] else ""
    click.echo(f"  seats:         {s['positions']} in {s['programs']} programs{inf}")
    click.echo(f"  data covers:   {s['date_from']} to {s['date_to']}")
    click.echo(f"  links:         {s['assignments']} seat assignments, {s['supervision_links']} supervision links")
    click.echo(f"  optional data: {', '.join(s['optional_files']) or 'none'}")
    if s["warnings"]:
        click.echo(f"  warnings:      {s['warnings']} (run `orgraph validate` to see them)")
    click.echo("")
    click.echo("Exits per year by role kind (rate = exits / headcount on 1 January):")
    click.echo(render(s["exits_by_year"], "table"))


COMMANDS = [validate_cmd, info_cmd]
