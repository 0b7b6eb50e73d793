"""The ``orgraph`` command line.

The CLI is a thin layer: each command opens a source, calls one library
function and formats the result. Commands live in the modules of this
package; each module lists its click commands in ``COMMANDS``.

:data:`COMMAND_INDEX` names each command's module and one-line help, so
``orgraph --help`` lists every command without importing any of them, and
``orgraph audit`` imports only :mod:`orgraph.cli.audit` (the analyses, the
renderers, the synthesizer and the Neo4j store each take a while to
import). Adding a command means adding its line there; tests/test_cli.py
checks the index against the modules.
"""
from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import BundleError, OrgraphError
from ..plain import plural
from . import exiting

__all__ = ["main", "COMMAND_INDEX"]

#: Every command: the module of this package that defines it and the help ``orgraph --help`` shows for it
#: (the command's short help, before click shortens it to the terminal's width).
COMMAND_INDEX: dict[str, tuple[str, str]] = {
    "audit": ("audit", "Run every analysis, rank findings by cost and certainty, write a report pack."),
    "cascades": ("analyses", "Did teams leave after their supervisor left? Supervisor exits followed by more team "
                             "exits than ordinary turnover predicts."),
    "caseload": ("analyses", "Are caseloads breaking somewhere? Caseload distribution by month, program and "
                             "supervisor, and who carries sustained high caseloads."),
    "churn": ("analyses", "Which seats keep losing their holders? Seats that lose holders more often than ordinary "
                          "turnover explains."),
    "continuity": ("analyses", "Which clients lost their clinician mid-treatment? Per exit, per program and per "
                               "year."),
    "cost": ("analyses", "What does turnover cost? The cost of one exit by role, the cost of exits per period and "
                         "the assumptions (change them in the [cost] section of orgraph.toml; docs/cost-model.md gives each "
                         "default's source)."),
    "db": ("db", "Keep the org in a Neo4j database: load, query, export, wipe."),
    "departures": ("analyses", "What do the people who left have in common? Exit rates by group in a period, each "
                               "against everyone else."),
    "docburden": ("analyses", "Does documentation take as long as the session? Documentation hours per session "
                              "hour by person, program and month."),
    "effects": ("analyses", "Which conditions raise exits, each adjusted for the others? One Poisson regression of "
                            "exits on person-months: supervisor left, overloaded supervisor, sustained high caseload and "
                            "documentation burden, adjusted for role kind, tenure and calendar year, with the exits "
                            "attributable to each."),
    "import": ("importing", "Import HRIS and EHR exports (CSV or Excel) into a bundle folder and validate it."),
    "info": ("core", "Summarize an org: people, seats, programs, date range, exits per year."),
    "leading": ("analyses", "Do supervisor exits predict clinician exits? Clinician exits in the quarters after a "
                            "program loses a supervisor."),
    "map": ("maps", "Write an interactive supervision map: one self-contained HTML file that works offline."),
    "overload": ("analyses", "Which supervisors carry more than they can supervise? Supervisors carrying too many "
                             "people, clients or unmet supervision hours, and what it costs in exits."),
    "retention": ("analyses", "How long do people stay? The share still here N months after hire (org and "
                              "programs) and after a supervisor left (beside everyone else on the same days); "
                              "Kaplan-Meier, inside the export window."),
    "risk": ("analyses", "Who is at risk now, and why? People employed on a date, with the risk factors that "
                         "apply and a score fitted on the org's past."),
    "scenario": ("finance", "What-if scenarios in dollars."),
    "snapshot": ("maps", "Write a snapshot pack for a leadership meeting: index.html, map, graph files and CSV "
                         "tables."),
    "synth": ("synth", "Write a synthetic behavioral health org with planted patterns and its truth.json."),
    "validate": ("core", "Check a bundle folder and list every problem with file, line and column."),
}


class OrgraphGroup(click.Group):
    """A click group that turns library errors into one clear line and exit code 1 (2 for usage).

    Commands named in ``index`` (name: (module, help), as :data:`COMMAND_INDEX`) are imported from their
    module of this package when first asked for; the help lists them without importing them.
    :attr:`commands` holds every command, importing the modules not yet imported.
    """

    def __init__(self, *args, index: dict[str, tuple[str, str]] | None = None, **kwargs):
        self._index = dict(index or {})
        self._loaded: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:
        for name in self._index:
            self.get_command(None, name)
        return self._loaded

    @commands.setter
    def commands(self, value) -> None:
        self._loaded = dict(value)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._loaded[name or cmd.name] = cmd

    def get_command(self, ctx, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._loaded and cmd_name in self._index:
            module = importlib.import_module(f"{__name__}.{self._index[cmd_name][0]}")
            for command in getattr(module, "COMMANDS", []):
                self._loaded.setdefault(command.name, command)
        return self._loaded.get(cmd_name)

    def format_commands(self, ctx, formatter) -> None:
        rows = [(name, self._loaded.get(name)) for name in self.list_commands(ctx)]
        rows = [(name, cmd) for name, cmd in rows if cmd is None or not cmd.hidden]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit) if cmd is not None
                                 else click.Command(name, help=self._index[name][1]).get_short_help_str(limit))
                                for name, cmd in rows])

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BundleError as exc:
            for issue in exc.errors[:20]:
                click.echo(str(issue), err=True)
            more = len(exc.errors) - 20
            if more > 0:
                click.echo(f"... and {plural(more, 'more error')}; run `orgraph validate` for the full list", err=True)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except OrgraphError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)

    def main(self, args=None, *rest, **kwargs):
        """Click's ``main``; run as the program (arguments from ``sys.argv``, click ending the process), a command
        that held its org (:func:`orgraph.cli.exiting.hold_until_exit`) is left without freeing it."""
        if args is not None or rest or not kwargs.get("standalone_mode", True):
            return super().main(args, *rest, **kwargs)
        with exiting.as_program():
            try:
                return super().main(args, **kwargs)
            except SystemExit as exc:
                exiting.leave(exc.code)
                raise

    def list_commands(self, ctx):
        return sorted(set(self._loaded) | set(self._index))


@click.group(cls=OrgraphGroup, index=COMMAND_INDEX, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="orgraph")
def main():
    """orgraph: find what staff departures have in common.

    Point it at a folder of CSV exports (see docs/data-format.md) or a Neo4j
    database (neo4j://host:7687). Start with `orgraph audit DATA`.
    """


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
