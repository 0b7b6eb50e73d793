"""``orgraph db``: load an org into Neo4j, ask it the leadership questions, export it as a folder, wipe it.

The password comes from ``$NEO4J_PASSWORD`` or a hidden prompt; it is never
printed or logged.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from ..store.neo4j import QUERIES, safe_uri
from .options import emit, format_option

__all__ = ["db_group", "parse_param", "COMMANDS"]


def parse_param(text: str) -> tuple[str, str]:
    """``key=value`` → ``(key, value)``, both as text: the query file's declaration gives the type.

    Examples
    --------
    >>> parse_param("as_of=2024-06-30"), parse_param(" max_span = 8")
    (('as_of', '2024-06-30'), ('max_span', '8'))
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise click.BadParameter(f"{text!r} is not key=value, for example as_of=2024-06-30", param_hint="--param")
    return key, raw.strip()


def _org_option(help_text: str):
    return click.option("--org", default=None, metavar="NAME", help=help_text)


def _org(uri: str, org: str | None) -> tuple[str, str | None]:
    """The address without ``?org=``, and the org named by ``--org`` or by the address."""
    from ..errors import SourceError
    from ..store.neo4j import check_org, split_org

    bare, named = split_org(uri)
    if org is not None and named is not None and org != named:
        raise SourceError(f"two org names given: --org {org} and ?org={named} in the address")
    chosen = org if org is not None else named
    return bare, None if chosen is None else check_org(chosen)


def _connection_options(func):
    func = click.option("--database", default=None, metavar="NAME",
                        help="Database name (default: the server's default database).")(func)
    func = click.option("--user", default=lambda: os.environ.get("ORGRAPH_NEO4J_USER", "neo4j"),
                        show_default="neo4j, or $ORGRAPH_NEO4J_USER", help="Neo4j user name.")(func)
    func = click.option("--uri", default=lambda: os.environ.get("ORGRAPH_NEO4J_URI", "bolt://localhost:7687"),
                        show_default="bolt://localhost:7687, or $ORGRAPH_NEO4J_URI",
                        help="Address of the Neo4j server.")(func)
    return func


def _password() -> str:
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        password = click.prompt("Neo4j password", hide_input=True, err=True)
    return password


def _connect(uri: str, user: str):
    from ..store.neo4j import connect

    return connect(uri, user=user, password=_password())


@click.group("db")
def db_group():
    """Keep the org in a Neo4j database: load, query, export, wipe.

    The password is read from NEO4J_PASSWORD, or asked for (hidden).
    """


@db_group.command("load")
@click.argument("folder", metavar="DATA", type=click.Path(exists=True, file_okay=False, path_type=str))
@_connection_options
@click.option("--batch-size", default=10_000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows written per transaction.")
@click.option("--strict", is_flag=True, help="Refuse a bundle that has validation warnings.")
@_org_option("Load the bundle as the org NAME, replacing only that org: one database can hold several. "
             "Without it the database afterwards holds this bundle and nothing else.")
@format_option
def load_cmd(folder, uri, user, database, batch_size, strict, org, fmt):
    """Load a bundle folder into Neo4j (safe to repeat: only changes are written).

    Afterwards the database holds exactly the bundle: people, seats, programs
    and links the bundle does not have are removed (with --org NAME, only from
    that org). Loading the same export twice changes nothing. Until the load's
    last write, orgraph refuses to read the org; one load at a time holds the
    database's load lock.
    """
    from .. import load_data
    from ..store.neo4j import write_org

    uri, org = _org(uri, org)
    data = load_data(folder, strict=strict)
    driver = _connect(uri, user)
    total = (len(data.programs) + len(data.positions) + len(data.staff) + len(data.assignments)
             + len(data.supervision) + 4 * len(data.staff))
    seen: dict[str, int] = {}
    try:
        with click.progressbar(length=max(total, 1), label="Loading into Neo4j", file=sys.stderr,
                               show_pos=True, item_show_func=lambda kind: kind) as bar:
            def progress(kind, done, _total):
                step = done - seen.get(kind, 0)
                seen[kind] = done
                bar.update(max(step, 0), current_item=kind)

            summary = write_org(data, driver, org=org, database=database, batch_size=batch_size, progress=progress,
                                uri=uri)
    finally:
        driver.close()
    if fmt == "json":
        emit(summary.as_dict(), fmt)
        return
    created = sum(c["created"] for c in summary.counts.values())
    updated = sum(c["updated"] for c in summary.counts.values())
    removed = sum(c["removed"] for c in summary.counts.values())
    footer = ("No changes: the database already held this bundle." if summary.changed == 0 else
              f"{created:,} rows created, {updated:,} updated, {removed:,} removed.")
    into = safe_uri(uri) + (f" as org {org}" if org else "")
    emit(summary.records(), fmt, title=f"Loaded {folder} into {into} in {summary.seconds:.1f} s", footer=footer)


@db_group.command("query")
@click.argument("name", type=click.Choice(list(QUERIES)))
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter, for example --param as_of=2024-06-30 (repeatable). "
                   "Defaults: as_of today, the rest from the loaded bundle's settings.")
@_org_option("The org to ask about, when the database holds several.")
@_connection_options
@format_option
def query_cmd(name, params, org, uri, user, database, fmt):
    """Ask the database one of the leadership questions (a file in cypher/).

    Each parameter is checked against its declaration in the query file (type
    and allowed range) before the query runs.

    \b
    cascade_risk            who is in a post-supervisor-exit window (as_of, window_days, lookback_days)
    overloaded_supervisors  span of control above max_span on as_of (as_of, max_span)
    churn_positions         seats with min_holders holders in window_months (as_of, window_months, min_holders)
    snapshot                every relationship holding on as_of (as_of)
    """
    from ..store.neo4j import run_query

    from ..store.cypher import check_values

    uri, org = _org(uri, org)
    values = check_values(name, dict(parse_param(p) for p in params))
    driver = _connect(uri, user)
    try:
        rows = run_query(driver, name, values, org=org, database=database)
    finally:
        driver.close()
    as_of = values.get("as_of", dt.date.today())
    emit(rows, fmt, title=f"{name} on {as_of} ({len(rows)} rows)")


@db_group.command("export")
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=str),
              help="The bundle folder to write (new, or empty).")
@click.option("--parquet", is_flag=True, help="Write the data files as Parquet (staff.parquet, ...) instead of CSV.")
@_org_option("The org to export, when the database holds several.")
@_connection_options
def export_cmd(out, parquet, org, uri, user, database):
    """Read the org back from Neo4j once and write it as a bundle folder.

    Every orgraph command reads the folder with the same answers as the
    server; a large org is then audited on the analyst's machine without
    reading it from the server each time. The folder holds the records and
    monthly tables the loaded bundle had, and orgraph.toml with its settings.
    """
    from ..store.folder import write_folder
    from ..store.neo4j import read_org

    uri, org = _org(uri, org)
    target = Path(out)
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{target} is not empty; choose a new --out folder")
    data = read_org(uri, user=user, password=_password(), database=database, org=org)
    names = write_folder(data, out, parquet=parquet)
    click.echo(f"Wrote {data.count('staff'):,} people from {safe_uri(uri)}" + (f" (org {org})" if org else "")
               + f" to {out}: {', '.join(names)}")


@db_group.command("wipe")
@_connection_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--schema", is_flag=True, help="Also drop orgraph's constraints and indexes.")
@_org_option("Delete only the org NAME.")
def wipe_cmd(uri, user, database, yes, schema, org):
    """Delete every orgraph node and relationship from a (test or demo) database.

    Nodes with labels orgraph does not use are left alone. Wiping everything
    also removes the load lock, so a load running meanwhile stops.
    """
    from ..store.neo4j import wipe

    uri, org = _org(uri, org)
    where = f"{safe_uri(uri)}" + (f" (database {database})" if database else "")
    what = f"the org {org}" if org else "all orgraph data (Staff, Position, Program)"
    if not yes:
        click.confirm(f"Delete {what} in {where}?", abort=True, err=True)
    driver = _connect(uri, user)
    try:
        n = wipe(driver, database=database, schema=schema, org=org)
    finally:
        driver.close()
    click.echo(f"Deleted {n:,} nodes from {where}." + (" Dropped orgraph's constraints and indexes." if schema else ""))


COMMANDS = [db_group]
