"""``orgraph audit``: the main job."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..plain import terminal_safe
from ..registry import ANALYSES, NOT_RUN
from ..report.words import money, plural
from ..writers import write_audit
from ..render.slides import require_pptx
from ..render.tables import to_json
from .exiting import hold_until_exit
from .options import anonymization, anonymize_options, as_of_option, open_source, source_argument, with_options


@click.command("audit")
@source_argument
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("orgraph-audit"),
              show_default=True, help="Folder for findings.json, report.md and the snapshot pack (index.html).")
@with_options(anonymize_options)
@click.option("--top", type=click.IntRange(1), default=5, show_default=True, help="Findings to show in the terminal.")
@click.option("--no-png", is_flag=True,
              help="Skip the static map.png (a Chromium screenshot, else a matplotlib drawing).")
@click.option("--pptx", is_flag=True, help="Also write OUT/deck.pptx, the findings as slides (needs "
              "pip install 'orgraph[slides]').")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Terminal output: a short summary, or the findings as JSON.")
def audit_cmd(source, as_of, out, anonymize, key, new_key, top, no_png, pptx, fmt):
    """Run every analysis, rank findings by cost and certainty, write a report pack.

    Writes OUT/findings.json, OUT/report.md and OUT/index.html (with maps).
    """
    if pptx:
        require_pptx()
    anonymize, key = anonymization(anonymize, key, new_key)
    org = open_source(source)
    total = sum(a.audit for a in ANALYSES) + 1
    with click.progressbar(length=total, label="Auditing", file=sys.stderr,
                           show_eta=False, item_show_func=lambda s: s) as bar:
        def progress(label):
            bar.update(1, label)

        audit = write_audit(org, out, as_of=as_of, anonymize=anonymize, key=key, progress=progress, png=not no_png,
                            pptx=pptx, release_tables=True, beside=True)
    hold_until_exit(org, audit)           # freed by the process's end, not one object at a time
    for note in audit.get("tool_notes", ()):
        click.echo(f"note: {note}", err=True)
    if fmt == "json":
        click.echo(to_json({k: v for k, v in audit.items() if k not in ("results", "tool_notes")}))
        return
    o = audit["org"]
    click.echo(f"Audit of {o['staff']} people, {o['positions']} seats, {o['programs']} programs "
               f"({o['date_from']} to {o['date_to']}), as of {audit['as_of']}.")
    click.echo("")
    for h in audit["headlines"][:2]:
        click.echo(click.wrap_text(h, width=100, initial_indent="  ", subsequent_indent="  "))
    click.echo("")
    t = audit["total_exit_cost"]
    click.echo(f"  From {t['period_start']} to {t['period_end']}: {plural(t['exits'], 'exit')}, an estimated "
               f"{money(t['cost'])}; the findings account for "
               f"{money(sum(f['estimated_cost'] or 0 for f in audit['findings']))} of it.")
    click.echo("")
    n = len(audit["findings"])
    if n:
        click.echo(f"Top findings ({min(top, n)} of {n}, ranked by estimated cost and certainty):")
    else:
        click.echo("No structural pattern passed the audit's tests; report.md lists what was examined.")
    for f in audit["findings"][:top]:
        cost = f" [{f['certainty']}; {money(f['estimated_cost'])}]" if f["estimated_cost"] else f" [{f['certainty']}]"
        click.echo(click.wrap_text(f"{f['rank']}. {f['headline']}{cost}", width=100, initial_indent="  ",
                                   subsequent_indent="     "))
    if audit.get("untestable"):
        click.echo("What this data could not answer:")
        for u in audit["untestable"]:
            click.echo(click.wrap_text(f"- {terminal_safe(u)}", width=100, initial_indent="  ",
                                       subsequent_indent="    "))
    for note in audit["notes"]:
        if NOT_RUN not in note:           # an analysis that could not answer is said above
            click.echo(f"  note: {note}")
    click.echo("")
    click.echo(f"Report:   {os.path.join(str(out), 'report.md')}")
    click.echo(f"Pack:     {os.path.join(str(out), 'index.html')}  (open in a browser; works offline)")
    click.echo(f"Findings: {os.path.join(str(out), 'findings.json')}")
    if pptx:
        click.echo(f"Slides:   {os.path.join(str(out), 'deck.pptx')}")


COMMANDS = [audit_cmd]
