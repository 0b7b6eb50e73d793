"""Options shared by many commands, and the one way commands print results."""
from __future__ import annotations

import datetime as dt

import click

from ..plain import terminal_safe
from ..render.tables import render

__all__ = ["source_argument", "format_option", "as_of_option", "open_source", "emit", "DATE"]


class DateType(click.ParamType):
    """A click parameter type for ISO dates (YYYY-MM-DD)."""

    name = "date"

    def convert(self, value, param, ctx):
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; expected YYYY-MM-DD, for example 2024-06-30", param, ctx)


DATE = DateType()

source_argument = click.argument("source", metavar="DATA")
"""``DATA``: a bundle folder or a Neo4j URI (neo4j://host:7687, bolt://...)."""

format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="Output: a readable table, or JSON / CSV for machines.")

as_of_option = click.option(
    "--as-of", "as_of", type=DATE, default=None,
    help="Analyse the org as of this date (YYYY-MM-DD). Default: the last day in the data.")


def open_source(source: str, **kwargs):
    """Open a bundle folder or Neo4j URI as an :class:`~orgraph.graph.OrgGraph` (see :func:`orgraph.load`)."""
    from .. import load

    return load(source, **kwargs)


def emit(result, fmt: str = "table", *, columns=None, key=None, title: str | None = None,
         footer: str | None = None) -> None:
    """Print a result: ``title``/``footer`` lines only in table format; JSON prints the whole result."""
    if fmt == "table" and title:
        click.echo(terminal_safe(title))
        click.echo()
    click.echo(render(result, fmt, columns=columns, key=key).rstrip("\n"))
    if fmt == "table" and footer:
        click.echo()
        click.echo(terminal_safe(footer))
