"""Commands ``map`` (an interactive supervision map, or a timeline) and ``snapshot`` (a pack for a meeting)."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import SourceError
from ..registry import flags_as_of
from ..render.elements import DEFAULT_LOOKBACK_DAYS
from ..render.maps import build_map
from ..render.slides import require_pptx
from ..settings import setting_help
from ..writers import write_snapshot
from ..render.timeline import build_timeline
from .options import (DATE, anonymization, anonymize_options, as_of_option, open_source, source_argument,
                      with_options)

__all__ = ["COMMANDS", "map_cmd", "snapshot_cmd"]


def _write(path: Path, text: str) -> None:
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot write {path}: {exc.strerror}") from None


@click.command("map")
@source_argument
@as_of_option
@click.option("--from", "start", type=DATE, default=None,
              help="Timeline: first date (YYYY-MM-DD). Giving --from or --to makes a timeline page with a date slider.")
@click.option("--to", "end", type=DATE, default=None, help="Timeline: last date. [default: the last day in the data]")
@click.option("--every", type=click.Choice(["quarter", "month"]), default="quarter", show_default=True,
              help="Timeline: step between snapshots.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("map.html"),
              show_default=True, help="HTML file to write.")
@click.option("--lookback-days", type=click.IntRange(0), default=DEFAULT_LOOKBACK_DAYS, show_default=True,
              help="Keep people who left in this many days before the date on the map (greyed out).")
@click.option("--program", default=None, metavar="PROGRAM", help="Only this program (id or name).")
@click.option("--supervisor", default=None, metavar="STAFF_ID", help="Only this supervisor and everyone below them.")
@click.option("--view", type=click.Choice(["people", "teams", "programs"]), default="people", show_default=True,
              help="One node per person, per supervisor's team, or per program (for very large orgs).")
@click.option("--flagged-only", is_flag=True, help="Only people with a flag (left, post-exit window, overloaded, "
              "churn seat, cascade).")
@with_options(anonymize_options)
def map_cmd(source, as_of, start, end, every, out, lookback_days, program, supervisor, view, flagged_only, anonymize,
            key, new_key):
    """Write an interactive supervision map: one self-contained HTML file that works offline.

    Each supervisor sits in the middle of their team, teams are grouped by
    program (shaded regions) with the leadership above; supervisors and
    directors are drawn larger; people are coloured by status; arrows run from
    supervisee to supervisor; hover for details. Above 400 people the map opens
    at team level: one circle per team, which shows its people when clicked.
    --view teams or --view programs folds people into one node per team or program.
    With --from/--to it writes a timeline: one page with a date slider.
    """
    anonymize, key = anonymization(anonymize, key, new_key)
    org = open_source(source)
    common = dict(lookback_days=lookback_days, program=program, supervisor=supervisor, flagged_only=flagged_only,
                  anonymize=anonymize, key=key)
    if start is not None or end is not None:
        if as_of is not None:
            raise click.UsageError("use either --as-of (one map) or --from/--to (a timeline), not both")
        if view != "people":
            raise click.UsageError("--view teams|programs is for a single map; a timeline shows people")
        html = build_timeline(org, start=start, end=end, every=every, flags_for=lambda d: flags_as_of(org, d),
                              **common)
        what = "timeline"
    else:
        html = build_map(org, as_of=as_of, view=view, flags=flags_as_of(org, as_of), **common)
        what = "map"
    _write(out, html)
    click.echo(f"Wrote the {what} to {out} ({len(html) / 1e6:.1f} MB). Open it in a browser; it needs no network.")


@click.command("snapshot")
@source_argument
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the pack into (created if needed).")
@click.option("--min-cell", type=click.IntRange(1), default=None,
              help=setting_help("privacy", "min_cell", "With --anonymize: table cells counting fewer people than "
                                "this are shown as <N."))
@click.option("--lookback-days", type=click.IntRange(0), default=DEFAULT_LOOKBACK_DAYS, show_default=True,
              help="Keep people who left in this many days before the date on the map.")
@click.option("--no-png", is_flag=True, help="Skip map.png (a screenshot with Chromium; without it the map is "
              "drawn with matplotlib).")
@click.option("--since", type=DATE, default=None, metavar="DATE",
              help="Also say what changed since this earlier date (the last meeting): exits since, newly flagged "
              "and no-longer-flagged supervisors, seats and programs, and how the bottom line moved.")
@click.option("--compare", "compare", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Also say what changed since an earlier pack (a snapshot or audit folder), read "
              "from its state.json: what it flagged and its bottom line, as shown then.")
@click.option("--pptx", is_flag=True, help="Also write deck.pptx, a slide deck of the pack (needs "
              "pip install 'orgraph[slides]').")
@with_options(anonymize_options)
def snapshot_cmd(source, as_of, out, min_cell, lookback_days, no_png, since, compare, pptx, anonymize, key, new_key):
    """Write a snapshot pack for a leadership meeting: index.html, map, graph files and CSV tables.

    index.html holds the headline findings in plain language, key tables,
    charts and the interactive map, and prints to PDF. Also written: map.html,
    map.png, graph.graphml and graph.json (for Gephi or NetworkX), and each
    table as CSV. With --since DATE (or --compare with an earlier pack's
    folder), the pack says what changed since then; with --pptx, it is also a
    slide deck (deck.pptx).
    """
    anonymize, key = anonymization(anonymize, key, new_key)
    if pptx:
        require_pptx()
    org = open_source(source)
    res = write_snapshot(org, out, as_of=as_of, anonymize=anonymize, key=key, min_cell=min_cell,
                         lookback_days=lookback_days, png=not no_png, pptx=pptx, since=since, compare=compare)
    for note in res.get("tool_notes", ()):
        click.echo(f"note: {note}", err=True)
    click.echo(f"Wrote the snapshot pack for {res['as_of']} to {res['out_dir']}/ ({len(res['files'])} files). "
               f"Open index.html" + (" or deck.pptx." if pptx else "."))
    for f in res["findings"]:
        click.echo(f"  - {f}")
    if res.get("changes"):
        click.echo(f"Since {res['changes']['since']}:")
        for s in res["changes"]["sentences"]:
            click.echo(f"  - {s}")


COMMANDS = [map_cmd, snapshot_cmd]
