"""Writing an :class:`~orgraph.model.OrgData` back out as a bundle folder (CSV or Parquet).

An org read from Neo4j (or anywhere else) becomes a folder that every orgraph command reads with the same answers:
the record tables and the monthly tables the source had, in their order, plus ``orgraph.toml`` with the settings
that differ from the defaults. With a large org kept on a shared server, an analyst reads it back once
(``orgraph db export``) and audits the folder as often as they like.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..model import OrgData
from ..schema import FILES

__all__ = ["write_folder", "settings_toml", "RECORD_FILES", "MONTHLY_FILES"]

#: Files written from the record tables (:meth:`OrgData.table`), always.
RECORD_FILES = ("staff", "programs", "positions", "assignments", "supervision")
#: Files written from the monthly tables, when the source had them (``OrgData.present``).
MONTHLY_FILES = ("caseload", "documentation", "supervision_sessions", "client_assignments")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SourceError(f"the setting value {value!r} cannot be written to orgraph.toml")
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def settings_toml(config) -> str:
    """``orgraph.toml`` text holding every setting of ``config`` that differs from its default ('' if none).

    Examples
    --------
    >>> from orgraph.config import Config
    >>> print(settings_toml(Config.from_mapping({"cascades": {"window_days": 90}, "data": {"start": "2020-01-01"}})))
    # Written by `orgraph db export`: the settings that differ from the defaults.
    [data]
    start = "2020-01-01"
    <BLANKLINE>
    [cascades]
    window_days = 90
    <BLANKLINE>
    """
    from ..config import DEFAULTS

    if config is None or not hasattr(config, "values"):
        return ""
    blocks = []
    for section, defaults in DEFAULTS.items():
        body = config.values.get(section, {})
        lines = [f"{key} = {_toml_value(body[key])}" for key in defaults
                 if key in body and body[key] != defaults[key]]
        if lines:
            blocks.append(f"[{section}]\n" + "\n".join(lines) + "\n")
    if not blocks:
        return ""
    return "# Written by `orgraph db export`: the settings that differ from the defaults.\n" + "\n".join(blocks)


def _file_frame(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the bundle file's column names, in its order (the tables name interval ends ``start`` and
    ``end``; the files ``start_date`` and ``end_date``)."""
    columns = list(FILES[name].types)
    if len(columns) != len(table.columns):
        raise SourceError(f"{name}: the table has columns {list(table.columns)}, the file needs {columns}")
    return table.set_axis(columns, axis=1)


def _csv_column(values: pd.Series, kind: str) -> pd.Series:
    """One column as the text a bundle CSV holds ('' for none)."""
    if kind == "date":
        out = values.dt.strftime("%Y-%m-%d")
    elif kind == "month":
        out = values.dt.strftime("%Y-%m")
    elif kind == "bool":
        out = values.map({True: "true", False: "false"})
    elif kind == "int":
        out = values.astype("Int64").astype("string")
    elif kind == "float":
        out = pd.Series(values.to_numpy(dtype=float, na_value=np.nan).astype(str), index=values.index)
    else:
        out = values.astype("string")
    return out.astype(object).where(values.notna(), "")


def write_folder(data: OrgData, out, *, parquet: bool = False) -> list[str]:
    """Write ``data`` as a bundle folder ``out`` (created; it must not exist or be empty).

    Parameters
    ----------
    data : OrgData
        The org, as read from a folder or from Neo4j.
    out : path
        The folder to write.
    parquet : bool
        Write the data files as Parquet (``staff.parquet``, ...) instead of CSV.

    Returns
    -------
    list of str
        The names of the files written, ``orgraph.toml`` last when there are settings to keep.

    Examples
    --------
    >>> import tempfile, orgraph
    >>> d = Path(tempfile.mkdtemp()) / "copy"
    >>> names = write_folder(orgraph.load_data("examples/riverbend"), d)
    >>> names[:3], orgraph.load_data(d).count("staff") == orgraph.load_data("examples/riverbend").count("staff")
    (['staff.csv', 'programs.csv', 'positions.csv'], True)
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise SourceError(f"{out} exists and is not an empty folder; choose a new one")
    out.mkdir(parents=True, exist_ok=True)
    names = []
    tables = [(n, data.table(n)) for n in RECORD_FILES]
    tables += [(n, getattr(data, n)) for n in MONTHLY_FILES if n in (data.present or set())]
    for name, table in tables:
        frame = _file_frame(name, table)
        spec = FILES[name]
        path = out / spec.filename
        csv = pd.DataFrame({c: _csv_column(frame[c], spec.types[c]) for c in frame.columns})
        csv.to_csv(path, index=False, lineterminator="\n")
        if parquet:
            from ..columnar import csv_to_parquet

            path = csv_to_parquet(path, spec)
        names.append(path.name)
    text = settings_toml(data.config)
    if text:
        (out / "orgraph.toml").write_text(text, encoding="utf-8")
        names.append("orgraph.toml")
    return names
