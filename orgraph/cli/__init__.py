"""The ``orgraph`` command line.

The CLI is a thin layer: each command opens a source, calls one library
function and formats the result. Commands live in the modules of this
package; each module lists its click commands in ``COMMANDS`` and they are
registered here, so adding a command never means editing this file.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from .. import __version__
from ..errors import BundleError, OrgraphError
from ..plain import plural

__all__ = ["main"]


class OrgraphGroup(click.Group):
    """A click group that turns library errors into one clear line and exit code 1 (2 for usage)."""

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

    def list_commands(self, ctx):
        return sorted(self.commands)


@click.group(cls=OrgraphGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="orgraph")
def main():
    """orgraph: find what staff departures have in common.

    Point it at a folder of CSV exports (see docs/data-format.md) or a Neo4j
    database (neo4j://host:7687). Start with `orgraph audit DATA`.
    """


def _register() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name in ("options",):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
