"""The ``index.html`` of a snapshot pack: findings, the map, charts and tables on one printable page.

The page is the Jinja template ``pack.html.j2`` (autoescaped) with the style
sheet ``assets/pack.css``. It loads nothing from the network (a strict
Content-Security-Policy says so); the interactive map is the map page itself
in an ``<iframe srcdoc>`` (escaped as an attribute), and prints as its PNG.
"""
from __future__ import annotations

import base64
import datetime as dt

from markupsafe import Markup

from .charts import bar_chart_svg, line_chart_svg
from .templating import asset, inline_code, render

__all__ = ["index_html", "MAX_TABLE_ROWS", "TABLE_TITLES"]

#: index.html shows at most this many rows of a table; the CSV has them all.
MAX_TABLE_ROWS = 25

#: Section titles of the pack's tables, in the order they appear on the page.
TABLE_TITLES = {
    "at_risk": "Who is at risk now, and why",
    "changes_by_program": "Exits since the earlier date, and headcount on both days, by program",
    "flagged_cascades": "Supervisor exits followed by unusually many departures",
    "overloaded_supervisors": "Overloaded supervisors",
    "churn_seats": "Seats that keep turning over",
    "headcount_by_program": "Headcount by program",
    "exits_by_quarter": "Exits per quarter by role kind",
    "span_bands": "Span of control on the day (direct supervisees per supervisor)",
    "caseload_distribution": "Caseload distribution in the month of the day",
}


def _cell(v) -> tuple[str, bool]:
    """A table value as shown, and whether it is a number (right-aligned)."""
    num = isinstance(v, (int, float)) and not isinstance(v, bool)
    text = "" if v is None else (f"{v:.3g}" if isinstance(v, float) and abs(v) < 0.01 and v != 0
                                 else (f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float)
                                       else ("yes" if v is True else "no" if v is False else str(v))))
    return text, num


def _table(name: str, rows: list[dict], lead: str | None = None) -> dict:
    more = len(rows) - MAX_TABLE_ROWS
    note = (f"The first {MAX_TABLE_ROWS} of {len(rows)} rows; all are in {name}.csv." if more > 0
            else f"CSV: {name}.csv")
    if lead:
        note = f"{lead} {note}"
    cols = list(rows[0]) if rows else []
    return {"name": name, "title": TABLE_TITLES[name], "columns": [c.replace("_", " ") for c in cols],
            "rows": [[_cell(r.get(c)) for c in cols] for r in rows[:MAX_TABLE_ROWS]], "note": note}


def _charts(tables: dict, min_cell: int) -> list[Markup]:
    sup = f"<{min_cell}"

    def val(v):
        return None if isinstance(v, str) else v

    q = tables["exits_by_quarter"]
    kinds = [k for k in q[0] if k not in ("quarter", "total", "complete")] if q else []
    charts = [bar_chart_svg([r["quarter"] + ("" if r["complete"] else " (so far)") for r in q],
                            {k: [val(r[k]) for r in q] for k in kinds}, title="Exits per quarter by role kind",
                            ylabel="people who left", suppressed_label=sup)]
    charts.append(_stacked(tables.get("span_by_program") or [], "band", "supervisors",
                           "Span of control: supervisors by number of direct supervisees, by program",
                           "supervisors", sup) if tables.get("span_by_program") else
                  bar_chart_svg([r["band"] for r in tables["span_bands"]],
                                {"supervisors": [val(r["supervisors"]) for r in tables["span_bands"]]},
                                title="Span bands: supervisors by number of direct supervisees",
                                ylabel="supervisors", suppressed_label=sup))
    charts.append(_stacked(tables.get("caseload_by_program") or [], "active_clients", "people",
                           "Caseloads this month: people by active clients, by program", "people", sup)
                  if tables.get("caseload_by_program") else
                  bar_chart_svg([r["active_clients"] for r in tables["caseload_distribution"]],
                                {"people": [val(r["people"]) for r in tables["caseload_distribution"]]},
                                title="Caseload distribution (active clients per person)", ylabel="people",
                                suppressed_label=sup))
    charts += _retention_charts(tables.get("retention") or [])
    return [Markup(svg) for svg in charts]  # bar_chart_svg and line_chart_svg escape every label they write


def _stacked(rows: list[dict], cat: str, value: str, title: str, ylabel: str, sup: str) -> str:
    """Bars of ``value`` by ``cat``, stacked by program, from a long-form table."""
    cats = list(dict.fromkeys(r[cat] for r in rows))
    series: dict = {}
    for r in rows:
        series.setdefault(r["program"], [0] * len(cats))[cats.index(r[cat])] = (
            None if isinstance(r[value], str) else r[value])
    return bar_chart_svg(cats, series, title=title, ylabel=ylabel, suppressed_label=sup)


def _retention_charts(rows: list[dict]) -> list[str]:
    out = []
    for kinds, title in ((("hires", "program"), "Share still here N months after hire (Kaplan-Meier)"),
                         (("supervisor left", "comparison"), "Share still here N months after a supervisor left, "
                                                             "beside everyone else on the same days")):
        sel = [r for r in rows if r["curve"] in kinds]
        if not sel:
            continue
        groups = list(dict.fromkeys(r["group"] for r in sel))
        months = sorted({r["month"] for r in sel})
        series = {g: [None] * len(months) for g in groups}
        for r in sel:
            series[r["group"]][months.index(r["month"])] = r["share_still_here"]
        out.append(line_chart_svg(months, series, title=title, xlabel="months", ylabel="still here"))
    return out


def index_html(*, title: str, day: dt.date, findings: list[str], tables: dict, map_html: str, png: bytes | None,
               anonymize: bool, min_cell: int, notes: list[str], made_on: dt.date | None = None,
               changes: dict | None = None, cards=(), opening=(), how_to_read=(), table_notes=None,
               cannot=()) -> str:
    """The pack's ``index.html``.

    Parameters
    ----------
    title : str
    day : date
        The date of the snapshot.
    findings : list of str
        Headline findings, one list item each.
    tables : dict
        Table name -> rows, from :func:`orgraph.render.pack.pack_tables`; ``exits_by_quarter``,
        ``span_bands`` and ``caseload_distribution`` are also drawn as charts. Tables are shown in the order
        of :data:`TABLE_TITLES`, at most :data:`MAX_TABLE_ROWS` rows each.
    map_html : str
        The map page, shown in an iframe.
    png : bytes, optional
        The map as a PNG, printed instead of the iframe.
    anonymize : bool
        Say that the pack is anonymized and how cells are suppressed.
    min_cell : int
    notes : list of str
        Shown at the end (analyses that could not run, how the PNG was made).
    cards, opening, how_to_read : sequence, optional
        An audit's finding cards (:func:`orgraph.report.pack.finding_cards`), the bottom-line sentences above
        them and the "how to read this" paragraphs; without cards the page lists ``findings``.
    table_notes : dict, optional
        Table name -> a sentence shown under it (the risk list's check).
    cannot : sequence of str, optional
        What the data could not answer, listed under the bottom line.
    made_on : date, optional
        Default today.
    changes : dict, optional
        What changed since an earlier date (:func:`orgraph.report.changes.changes_since`): its ``since`` and
        ``sentences`` make a section after the headline findings.

    Returns
    -------
    str
        The HTML page; every text is escaped.

    Examples
    --------
    >>> tables = {"exits_by_quarter": [], "span_bands": [], "caseload_distribution": [],
    ...           "headcount_by_program": [{"program": "<img src=x onerror=alert(1)>", "employed": 7}]}
    >>> page = index_html(title="Pack", day=dt.date(2024, 6, 30), findings=["<b>3</b> left"], tables=tables,
    ...                   map_html="<p>map</p>", png=None, anonymize=False, min_cell=5, notes=[])
    >>> "<li>&lt;b&gt;3&lt;/b&gt; left</li>" in page, "<img" in page, 'srcdoc="&lt;p&gt;map&lt;/p&gt;"' in page
    (True, False, True)
    """
    made_on = made_on or dt.date.today()
    shown = [_table(name, tables[name], (table_notes or {}).get(name)) for name in TABLE_TITLES if name in tables]
    return render("pack.html.j2", title=title, day=day.isoformat(), made_on=made_on.isoformat(),
                  css=inline_code(asset("pack.css"), element="style"), findings=findings, anonymize=anonymize,
                  min_cell=min_cell, map_html=map_html,
                  png_base64=base64.b64encode(png).decode("ascii") if png else None,
                  charts=_charts(tables, min_cell), tables=shown, notes=notes, changes=changes, cards=list(cards),
                  opening=list(opening), how_to_read=list(how_to_read), cannot=list(cannot))
