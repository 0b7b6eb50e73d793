"""Options shared by many commands, and the one way commands print results."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from pathlib import Path

import click

from ..errors import ConfigError
from ..plain import terminal_safe
from ..privacy import check_key, new_key as make_key
from ..render.tables import render

__all__ = ["source_argument", "format_option", "as_of_option", "anonymize_options", "with_options",
           "anonymization", "open_source", "load_progress", "emit", "DATE"]


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


anonymize_options = [
    click.option("--anonymize", is_flag=True,
                 help="Show keyed pseudonyms instead of names and ids, dates about people as months and tenure as "
                      "bands (same key, same pseudonyms)."),
    click.option("--key", default=None, metavar="KEY",
                 help="Secret for --anonymize pseudonyms: at least 16 characters, 3 kinds of character (lower, "
                      "upper, digits, others) and 8 different ones. [default: $ORGRAPH_ANON_KEY]"),
    click.option("--new-key", is_flag=True,
                 help="Make a strong new key, print it once on stderr and anonymize with it (implies --anonymize)."),
]
"""``--anonymize``, ``--key`` and ``--new-key``; a command reads them with :func:`anonymization`."""


def with_options(options):
    """A decorator adding a list of click options in order."""
    def deco(f):
        for o in reversed(options):
            f = o(f)
        return f
    return deco


def anonymization(anonymize: bool, key: str | None, new_key: bool) -> tuple[bool, str | None]:
    """Whether to anonymize and with which key, from ``--anonymize``, ``--key`` (or ``$ORGRAPH_ANON_KEY``) and
    ``--new-key``; a new key is printed once on stderr.

    Raises
    ------
    click.UsageError
        For ``--key`` with ``--new-key``.
    ConfigError
        When anonymizing without a key, or with a key weaker than :data:`orgraph.privacy.KEY_RULE`.
    """
    if new_key:
        if key:
            raise click.UsageError("use either --key or --new-key, not both")
        key = make_key()
        click.echo("A new anonymization key was made; it is shown this once and not stored anywhere:\n\n"
                   f"    {key}\n\nKeep it somewhere safe (a password manager). The same key gives the same "
                   "pseudonyms in later packs (pass it with --key or ORGRAPH_ANON_KEY); anyone who holds it can check "
                   "guesses of who is who.", err=True)
        return True, key
    source = "--key"
    if not key:
        key, source = os.environ.get("ORGRAPH_ANON_KEY") or None, "ORGRAPH_ANON_KEY"
    if anonymize:
        if not key:
            raise ConfigError("--anonymize needs a key: pass --key, set ORGRAPH_ANON_KEY, or pass --new-key to have "
                              "one made (the same key gives the same pseudonyms in every pack)")
        check_key(key, source=source)
    return anonymize, key


#: Bundles of more bytes than this (about a million rows) show a progress bar while loading.
PROGRESS_BYTES = 50_000_000


@contextlib.contextmanager
def load_progress(source, *, stream=None, min_bytes: int = PROGRESS_BYTES):
    """A progress bar with rows per second on stderr while a large bundle folder loads.

    Yields the ``progress`` callable for :func:`orgraph.validate.validate_bundle`, or ``None`` (no bar)
    when ``source`` is not a folder, its files total under ``min_bytes``, or the stream is not a terminal.
    """
    from .. import is_neo4j_uri
    from ..reading import bundle_files

    stream = sys.stderr if stream is None else stream
    folder = None if is_neo4j_uri(source) else Path(source)
    files = bundle_files(folder) if folder is not None and folder.is_dir() else []
    total = sum(p.stat().st_size for p in files)
    if total < min_bytes or not stream.isatty():
        yield None
        return
    start, rows = time.perf_counter(), [0]

    def show(_item):
        rate = rows[0] / max(time.perf_counter() - start, 1e-9)
        return f"{rows[0]:,} rows, {rate:,.0f} rows/s"

    with click.progressbar(length=total, label="Loading", file=stream, show_eta=False, item_show_func=show) as bar:
        def step(_name, n_rows, n_bytes):
            rows[0] += n_rows
            bar.update(n_bytes, _name)

        yield step


def open_source(source: str, **kwargs):
    """Open a bundle folder or Neo4j URI as an :class:`~orgraph.graph.OrgGraph` (see :func:`orgraph.load`).

    A large folder shows a progress bar on stderr when stderr is a terminal.
    """
    from .. import is_neo4j_uri, load

    if is_neo4j_uri(source) or "progress" in kwargs:
        return load(source, **kwargs)
    with load_progress(source) as progress:
        return load(source, progress=progress, **kwargs)


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
