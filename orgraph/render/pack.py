"""Snapshot packs: the org on one date, for a leadership meeting with no network.

:func:`write_pack` writes a folder:

* ``index.html``: headline findings in plain language, key tables, static
  charts (exits per quarter by role kind, span bands, caseload distribution)
  and the interactive map, in one self-contained page that prints to PDF
  (print stylesheet, page breaks; the map prints as its PNG), drawn by
  :mod:`orgraph.render.pack_page`;
* ``map.html`` and ``map.png`` (headless Chromium screenshot when Chromium is
  installed, else a matplotlib drawing of the same map, with labels and a
  legend; that it was drawn is a note for the terminal, not for the pack);
* ``graph.graphml`` and ``graph.json`` (NetworkX node-link; read it with
  ``nx.node_link_graph(data, edges="links", name="node")``, since nodes keep
  their own ``id`` attribute): the snapshot graph of :meth:`orgraph.graph.OrgGraph.snapshot`
  with dates as ISO strings, missing values left out, and a ``status`` on
  each person;
* the tables as CSV.

With ``anonymize=True`` people and seats appear only as keyed pseudonyms
(:class:`orgraph.privacy.Pseudonymizer`: the same key gives the same pseudonym
on every run), dates about people as months and tenures as bands, never how
a person left, tables that list individual people are left out, and every
table cell counting between 1 and ``min_cell - 1`` people is shown as
``<min_cell`` (:func:`orgraph.privacy.suppress`; totals and shares that would
give such a cell back are left out; org totals in sentences are rounded).
"""
from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from ..beside import start as beside_start
from ..collector import paused
from ..errors import SourceError
from ..graph import OrgGraph, as_date
from ..plain import FORMULA_STARTS, spreadsheet_safe
from ..privacy import Pseudonymizer
from .charts import map_png
from .elements import DEFAULT_LOOKBACK_DAYS, map_elements
from .graph_files import graphml_text, node_link_text, plain_graph_texts, snapshot_export
from .maps import map_data
from .pack_page import index_html
from .page import page_html
from .static_map import map_figure_png

__all__ = ["write_pack", "export_graph", "write_graph_files"]


# ------------------------------------------------------------------- graph
def export_graph(org: OrgGraph, *, as_of, status: dict | None = None, anonymize: bool = False,
                 key: str | None = None) -> nx.DiGraph:
    """The snapshot graph on ``as_of``, ready for GraphML and JSON.

    Dates become ISO strings and ``None``/NaN attributes are dropped (GraphML
    has no null). ``status`` (staff id -> map status) is added to people.
    Anonymized: staff nodes are ``staff:<pseudonym>`` with ``id`` and ``name``
    the pseudonym, seats are ``position:<seat pseudonym>`` (and so is a
    person's ``position_id``), names, licences, salaries, how and why people
    left and their exact dates are dropped, ``tenure_days`` becomes a
    ``tenure`` band (:func:`orgraph.privacy.tenure_band`) and the dates on
    links are months (:func:`orgraph.privacy.month`). The pack writes the same
    graph without building it (:mod:`orgraph.render.graph_files`).
    """
    return snapshot_export(org, as_of=as_of, status=status, anonymize=anonymize, key=key).to_networkx()


def write_graph_files(org: OrgGraph, out: Path, *, as_of, status: dict | None = None, anonymize: bool = False,
                      key: str | None = None) -> dict[str, Path]:
    """Write ``graph.graphml`` and ``graph.json`` (the graph of :func:`export_graph`) into ``out``.

    Without pseudonyms both are written column by column (:func:`~orgraph.render.graph_files.plain_graph_texts`)
    when the graph allows it, else from :func:`~orgraph.render.graph_files.snapshot_export`: the same bytes.
    """
    files = {"graph.graphml": out / "graph.graphml", "graph.json": out / "graph.json"}
    texts = None if anonymize else plain_graph_texts(org, as_of=as_of, status=status)
    if texts is None:
        g = snapshot_export(org, as_of=as_of, status=status, anonymize=anonymize, key=key)
        graphml_text(g, files["graph.graphml"])
        doc = node_link_text(g)
    else:
        with open(files["graph.graphml"], "w", encoding="utf-8", newline="") as f:
            f.write(texts[0])
        doc = texts[1]
    files["graph.json"].write_text(doc, encoding="utf-8")
    return files


# ------------------------------------------------------------------- files
_EMPTY_COLUMNS = {
    "flagged_cascades": ["supervisor_id", "supervisor", "exit_date", "cohort_size", "observed", "expected",
                         "relative_risk", "ci_low", "ci_high", "p_adjusted", "departures"],
    "overloaded_supervisors": ["supervisor_id", "supervisor", "mean_span", "span_now", "total_span",
                               "supervisee_caseload", "reasons"],
    "churn_seats": ["position_id", "title", "program_id", "holders", "exits", "expected", "p_adjusted", "status",
                    "shared_factors"],
}


def _write_csv(path: Path, rows: list[dict], name: str = "") -> None:
    """``rows`` as CSV, the columns those of the first row, every cell :func:`~orgraph.plain.spreadsheet_safe`
    (``None`` as an empty cell): what :class:`csv.DictWriter` writes, a row with the same columns as the first
    written as a plain list.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _write_csv(Path(tmp, "t.csv"), [{"a": "=1+2", "b": None}, {"b": 2.5, "a": "x"}, {"a": 1}])
    ...     print(Path(tmp, "t.csv").read_text())
    a,b
    '=1+2,
    x,2.5
    1,
    <BLANKLINE>
    """
    with path.open("w", newline="", encoding="utf-8") as f:
        cols = list(rows[0]) if rows else _EMPTY_COLUMNS.get(name, [])
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        plain, same = csv.writer(f, lineterminator="\n"), set(cols)
        for r in rows:
            if r.keys() == same:
                plain.writerow(["" if v is None else "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS)
                                else v for v in map(r.__getitem__, cols)])
            else:                       # other columns: DictWriter's rules (missing ones empty, others refused)
                w.writerow({k: ("" if v is None else spreadsheet_safe(v)) for k, v in r.items()})


def write_pack(org: OrgGraph, out_dir, *, content: dict, as_of=None, anonymize: bool = False, key: str | None = None,
               min_cell: int | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS, png: bool = True,
               title: str | None = None, beside: bool = False) -> dict:
    """Write a snapshot pack for ``as_of`` into ``out_dir``; return what was written.

    Parameters
    ----------
    org : OrgGraph
    out_dir : path
        Folder to write (created; existing pack files are replaced).
    content : dict
        What the pack says, from :func:`orgraph.report.pack.pack_content`:
        ``flags``, ``tables``, ``findings``, ``notes`` and, optionally, ``changes``.
    as_of : date, optional
        Default: the last day of data.
    anonymize, key, min_cell
        Pseudonyms keyed by ``key`` and suppression of cells under ``min_cell``
        people (default ``[privacy] min_cell``, 5).
    png : bool
        Write ``map.png`` (set False to skip the screenshot).
    beside : bool
        Write the graph files and the CSV tables in a second process while the map is drawn, when there is
        a second core (:mod:`orgraph.beside`): the same files.

    Returns
    -------
    dict
        ``out_dir``, ``files`` (name -> path), ``findings``, ``tables``,
        ``png_method`` (``chromium``, ``drawn`` or ``None``), ``nodes``, ``edges``, and ``tool_notes``:
        what the reader of the terminal should know about this machine's tools (e.g. that Chromium was not
        found), never shown in the pack.

    Notes
    -----
    The cyclic garbage collector is paused while the pack is written (:func:`orgraph.collector.paused`).
    """
    with paused():
        return _write_pack(org, out_dir, content=content, as_of=as_of, anonymize=anonymize, key=key,
                           min_cell=min_cell, lookback_days=lookback_days, png=png, title=title, beside=beside)


def _write_pack(org: OrgGraph, out_dir, *, content: dict, as_of, anonymize: bool, key: str | None,
                min_cell: int | None, lookback_days: int, png: bool, title: str | None,
                beside: bool = False) -> dict:
    day = as_date(as_of) if as_of is not None else org.data_end
    if min_cell is None:
        min_cell = org.config.get("privacy", "min_cell") if org.config is not None else 5
    pseudo_check = Pseudonymizer(key) if anonymize else None  # raises early without a key
    del pseudo_check
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(f"cannot create the pack folder {out}: {exc.strerror}") from None
    flags = content["flags"]
    el = map_elements(org, as_of=day, flags=flags, lookback_days=lookback_days, anonymize=anonymize, key=key,
                      min_cell=min_cell)
    status = {n["_raw"]: n["status"] for n in el["nodes"]}
    tables = content["tables"]

    def data_files() -> dict[str, Path]:
        """The graph files and the tables as CSV: they read nothing the map writes."""
        done = write_graph_files(org, out, as_of=day, status=status, anonymize=anonymize, key=key)
        for name, rows in tables.items():
            done[f"{name}.csv"] = out / f"{name}.csv"
            _write_csv(done[f"{name}.csv"], rows, name)
        return done

    side = beside_start(data_files) if beside else None   # written in a second process while the map is drawn
    try:
        map_title, map_subtitle, map_page = map_data(org, as_of=day, flags=flags, lookback_days=lookback_days,
                                                     anonymize=anonymize, key=key, min_cell=min_cell, elements=el)
        map_html = page_html(map_title, map_subtitle, map_page)
        files: dict[str, Path] = {}
        files["map.html"] = out / "map.html"
        files["map.html"].write_text(map_html, encoding="utf-8")

        png_bytes, png_method, tool_notes = None, None, []
        if png:
            png_method = map_png(map_html, out / "map.png",
                                 fallback=lambda: map_figure_png(map_page, title=map_title, subtitle=map_subtitle))
            files["map.png"] = out / "map.png"
            png_bytes = files["map.png"].read_bytes()
            if png_method == "drawn":
                tool_notes.append("Chromium was not found, so map.png was drawn with matplotlib rather than "
                                  "photographed from map.html (install Chromium, or set ORGRAPH_CHROMIUM, for a "
                                  "screenshot).")

        notes = list(content.get("notes") or [])
        index = index_html(title=title or f"Organization snapshot, {day.isoformat()}", day=day,
                           findings=content["findings"], tables=tables, map_html=map_html, png=png_bytes,
                           anonymize=anonymize, min_cell=min_cell, notes=notes, changes=content.get("changes"),
                           cards=content.get("cards") or (), opening=content.get("opening") or (),
                           how_to_read=content.get("how_to_read") or (), table_notes=content.get("table_notes"),
                           cannot=content.get("cannot") or ())
        files.update(side.result() if side is not None else data_files())
    finally:
        if side is not None:            # leaving early (an error): the second process goes too
            side.cancel()
    files["index.html"] = out / "index.html"
    files["index.html"].write_text(index, encoding="utf-8")
    return {"out_dir": str(out), "as_of": day.isoformat(), "files": {k: str(v) for k, v in files.items()},
            "findings": content["findings"], "tables": tables, "png_method": png_method,
            "nodes": len(el["nodes"]), "edges": len(el["edges"]), "tool_notes": tool_notes}
