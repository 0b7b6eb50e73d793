"""One command per analysis of the registry (:data:`orgraph.registry.ANALYSES`).

:func:`command_for` builds a click command from a registry entry: ``DATA``,
an option per setting (help and default from the settings table), the entry's
own options and filters, ``--by`` when it has several tables, ``--as-of`` and
``--format``. The command opens the source, calls the analysis and prints one
table with the caption the report layer writes for it.
"""
from __future__ import annotations

import click

from ..config import DEFAULTS
from ..registry import ANALYSES, Analysis
from ..settings import setting_help
from .options import DATE, as_of_option, emit, format_option, open_source

__all__ = ["COMMANDS", "command_for"]

#: Rows shown in a readable table before "(showing N of M rows)".
TABLE_LIMIT = 50


_RANGES = {
    "alpha": click.FloatRange(0, 1, min_open=True),
    "fdr": click.FloatRange(0, 1, min_open=True),
    "percentile": click.FloatRange(0, 100, min_open=True, max_open=True),
    "threshold": click.FloatRange(0, min_open=True),
    "min_signals": click.IntRange(1, 3),
    "handoff_days": click.IntRange(0),
    "pickup_days": click.IntRange(0),
}


def _setting_type(section: str, key: str):
    """The click type of a setting: its own range, else a positive whole number or a non-negative number."""
    if key in _RANGES:
        return _RANGES[key]
    return click.IntRange(1) if isinstance(DEFAULTS[section][key], int) else click.FloatRange(0)


def _option_type(opt):
    if opt.kind == "int":
        return click.IntRange(opt.minimum) if opt.minimum is not None else int
    if opt.kind == "date":
        return DATE
    return str


def command_for(entry: Analysis) -> click.Command:
    """A click command for one registry entry.

    Examples
    --------
    >>> from orgraph.registry import get
    >>> cmd = command_for(get("churn"))
    >>> cmd.name, [p.name for p in cmd.params][:3]
    ('churn', ['source', 'window_months', 'min_holders'])
    """
    views = list(entry.views)

    def callback(source, as_of, fmt, by=None, **kwargs):
        settings = {p: kwargs.pop(p) for p in entry.settings}
        extra = {}
        for opt in entry.options:
            value = kwargs.pop(opt.name)
            if opt.kind == "flag":
                if value:
                    extra[opt.keyword] = list(opt.value) if isinstance(opt.value, tuple) else opt.value
            elif value is not None:
                extra[opt.keyword] = value
        res = entry.function(open_source(source), as_of=as_of, **settings, **extra)
        view = by or views[0]
        rows = res.rows(entry.views[view].key)
        for flt in entry.filters:
            given = kwargs.pop(flt.name)
            if (flt.when == "given" and given) or (flt.when == "absent" and not given and fmt == "table"):
                rows = [r for r in rows if flt.keep(r)]
        if fmt == "json":
            emit(res.with_table(rows) if entry.views[view].key is None else res, fmt)
            return
        title, footer = entry.caption(res, view) if entry.caption else (res.summary, None)
        if fmt == "table" and len(rows) > TABLE_LIMIT:
            more = f"(showing {TABLE_LIMIT} of {len(rows)} rows; use --format csv for all)"
            footer = more if not footer else f"{more}\n{footer}"
            rows = rows[:TABLE_LIMIT]
        if fmt == "table" and res.untested:
            said = "\n".join(f"Could not be tested: {u}" for u in res.untested)
            footer = said if not footer else f"{footer}\n{said}"
        if entry.views[view].prepare is not None:
            rows = entry.views[view].prepare(rows)
        cols = entry.views[view].columns
        emit(rows, fmt, columns=list(cols) if cols and fmt == "table" else None, title=title, footer=footer)

    params: list[click.Parameter] = [click.Argument(["source"], metavar="DATA")]
    for param, (section, key) in entry.settings.items():
        params.append(click.Option([f"--{param.replace('_', '-')}", param], type=_setting_type(section, key),
                                   default=None, help=setting_help(section, key)))
    for opt in entry.options:
        if opt.kind == "flag":
            params.append(click.Option([f"--{opt.name.replace('_', '-')}", opt.name], is_flag=True, help=opt.help))
        else:
            params.append(click.Option([f"--{opt.name.replace('_', '-')}", opt.name], type=_option_type(opt),
                                       default=None, help=opt.help))
    for flt in entry.filters:
        params.append(click.Option([f"--{flt.name.replace('_', '-')}", flt.name], is_flag=True, help=flt.help))
    if len(views) > 1:
        params.append(click.Option(["--by", "by"], type=click.Choice(views), default=views[0], show_default=True,
                                   help="Which table to show."))
    cmd = click.Command(entry.name, callback=callback, params=params, help=entry.help)
    return as_of_option(format_option(cmd))


COMMANDS = [command_for(a) for a in ANALYSES]
