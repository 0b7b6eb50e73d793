"""Snapshot packs: the org on one date, for a leadership meeting with no network.

:func:`write_pack` writes a folder:

* ``index.html``: headline findings in plain language, key tables, static
  charts (exits per quarter by role kind, span bands, caseload distribution)
  and the interactive map, in one self-contained page that prints to PDF
  (print stylesheet, page breaks; the map prints as its PNG), drawn by
  :mod:`orgraph.render.pack_page`;
* ``map.html`` and ``map.png`` (headless Chromium screenshot when Chromium is
  installed, else a drawing of the network without labels);
* ``graph.graphml`` and ``graph.json`` (NetworkX node-link; read it with
  ``nx.node_link_graph(data, edges="links", name="node")``, since nodes keep
  their own ``id`` attribute): the snapshot graph of :meth:`orgraph.graph.OrgGraph.snapshot`
  with dates as ISO strings, missing values left out, and a ``status`` on
  each person;
* the tables as CSV.

With ``anonymize=True`` people appear only as keyed pseudonyms
(:class:`orgraph.privacy.Pseudonymizer`: the same key gives the same pseudonym
on every run), tables that list individual people are left out, and every
table cell counting between 1 and ``min_cell - 1`` people is shown as
``<min_cell`` (:func:`orgraph.privacy.suppress`; totals and shares that would
give such a cell back are left out; org totals in sentences are rounded).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import networkx as nx
import pandas as pd

from ..errors import SourceError
from ..graph import OrgGraph, as_date, node_key
from ..privacy import Pseudonymizer, suppress
from .charts import map_png
from .elements import DEFAULT_LOOKBACK_DAYS, map_elements
from .maps import MapFlags, build_map, flags_from_results, run_analyses
from .pack_page import index_html
from .page import vis_network

__all__ = ["write_pack", "export_graph", "pack_tables", "headline_findings"]

CASELOAD_BINS = ((0, 9), (10, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, None))
SPAN_BANDS = ("1", "2-3", "4-7", "8-12", "13-16", "17+")


# ------------------------------------------------------------------- graph
def _clean(value):
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (int, str)):
        return value
    if hasattr(value, "item"):
        return _clean(value.item())
    return str(value)


_PRIVATE = ("name", "license", "annual_salary", "termination_reason", "hire_date", "start", "end",
            "termination_date")


def export_graph(org: OrgGraph, *, as_of, status: dict | None = None, anonymize: bool = False,
                 key: str | None = None) -> nx.DiGraph:
    """The snapshot graph on ``as_of``, ready for GraphML and JSON.

    Dates become ISO strings and ``None``/NaN attributes are dropped (GraphML
    has no null). ``status`` (staff id -> map status) is added to people.
    Anonymized: staff nodes are ``staff:<pseudonym>`` with ``id`` and ``name``
    the pseudonym, and names, licences, salaries, reasons and exact dates of
    people are dropped (``tenure_days`` stays).
    """
    H = org.snapshot(as_of)
    pseudo = Pseudonymizer(key) if anonymize else None

    def rename(n: str) -> str:
        kind, _, id_ = n.partition(":")
        return node_key("staff", pseudo(id_)) if pseudo and kind == "staff" else n

    out = nx.DiGraph()
    out.graph.update({k: v for k, v in ((k, _clean(v)) for k, v in H.graph.items()) if v is not None})
    for n, a in H.nodes(data=True):
        attrs = {k: _clean(v) for k, v in a.items()}
        if a.get("kind") == "staff":
            if status and a["id"] in status:
                attrs["status"] = status[a["id"]]
            if pseudo:
                for k in _PRIVATE:
                    attrs.pop(k, None)
                attrs["id"] = attrs["name"] = pseudo(a["id"])
        out.add_node(rename(n), **{k: v for k, v in attrs.items() if v is not None})
    for u, v, a in H.edges(data=True):
        attrs = {k: _clean(x) for k, x in a.items()}
        out.add_edge(rename(u), rename(v), **{k: x for k, x in attrs.items() if x is not None})
    return out


# ------------------------------------------------------------------ tables
def _quarter(ts: pd.Timestamp) -> str:
    return f"{ts.year}-Q{(ts.month - 1) // 3 + 1}"


def pack_tables(org: OrgGraph, *, as_of, results: dict, anonymize: bool = False, key: str | None = None,
                min_cell: int = 5, quarters: int = 8) -> dict[str, list[dict]]:
    """The pack's tables as lists of records, suppressed when anonymized."""
    day = as_date(as_of)
    ts = pd.Timestamp(day)
    sf = org.staff_frame
    employed = sf[(sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))]
    H = org.snapshot(day)
    prog_of = {a["id"]: a.get("program_id") for n, a in H.nodes(data=True) if a.get("kind") == "staff"}
    year_ago = ts - pd.DateOffset(years=1)
    left_year = sf[(sf["exit"] < ts) & (sf["exit"] >= year_ago)]
    tables: dict[str, list[dict]] = {}

    rows = []
    for pid, p in sorted(org.data.programs.items()):
        n_emp = sum(1 for s in employed.index if prog_of.get(s) == pid)
        n_left = int((left_year["program_id"] == pid).sum())
        rows.append({"program_id": pid, "program": p.name, "employed": n_emp, "left_last_12_months": n_left})
    n_emp = sum(1 for s in employed.index if prog_of.get(s) not in org.data.programs)
    n_left = int((~left_year["program_id"].isin(list(org.data.programs))).sum())
    if n_emp or n_left:
        rows.append({"program_id": "", "program": "(no seat in a program)", "employed": n_emp,
                     "left_last_12_months": n_left})
    tables["headcount_by_program"] = rows

    # exits per quarter by role kind (the last `quarters` quarters up to as_of)
    q_end = pd.Period(ts, "Q")
    periods = [q_end - i for i in range(quarters - 1, -1, -1)]
    ex = sf[sf["exited"] & (sf["exit"] <= ts)]
    ex = ex[ex["exit"] >= periods[0].start_time]
    kinds = sorted(set(ex["role_kind"])) or ["clinician"]
    rows = []
    for per in periods:
        in_q = ex[(ex["exit"] >= per.start_time) & (ex["exit"] <= per.end_time)]
        row = {"quarter": str(per).replace("Q", "-Q")}
        for k in kinds:
            row[k] = int((in_q["role_kind"] == k).sum())
        row["total"] = int(len(in_q))
        row["complete"] = bool(per.end_time.normalize() <= ts)
        rows.append(row)
    tables["exits_by_quarter"] = rows

    # span bands on the day (direct supervisees)
    span: dict[str, int] = {}
    for u, v, a in H.edges(data=True):
        if a.get("kind") == "SUPERVISED_BY":
            span[v] = span.get(v, 0) + 1
    from ..analyses.overload import span_band

    counts = {b: 0 for b in SPAN_BANDS}
    for n in span.values():
        b = span_band(n)
        if b:
            counts[b] += 1
    total = sum(counts.values())
    tables["span_bands"] = [{"band": b, "supervisors": c, "share": round(c / total, 3) if total else 0.0}
                            for b, c in counts.items()]

    # caseload distribution in the month of the day
    cl = org.data.caseload
    month = pd.Timestamp(day.year, day.month, 1)
    cur = cl[(cl["month"] == month) & cl["staff_id"].isin(employed.index)] if len(cl) else cl
    rows = []
    for lo, hi in CASELOAD_BINS:
        sel = cur["active_clients"] >= lo
        if hi is not None:
            sel &= cur["active_clients"] <= hi
        rows.append({"active_clients": f"{lo}-{hi}" if hi is not None else f"{lo}+", "people": int(sel.sum())})
    tables["caseload_distribution"] = rows

    if not anonymize:
        cas = [c for c in (results.get("cascades") or {}).get("cascades", []) if c.get("flagged")]
        tables["flagged_cascades"] = [{
            "supervisor_id": c["supervisor_id"], "supervisor": _name(org, c["supervisor_id"]),
            "exit_date": c["exit_date"], "cohort_size": c["cohort_size"], "observed": c["observed"],
            "expected": c["expected"], "relative_risk": c["relative_risk"], "ci_low": c["ci_low"],
            "ci_high": c["ci_high"], "p_adjusted": c["p_adjusted"],
            "departures": "; ".join(f"{d['staff_id']} (+{d['days_after']}d)" for d in c["departures"])}
            for c in cas]
        sup = [r for r in (results.get("overload") or {}).get("supervisors", []) if r.get("overloaded")]
        tables["overloaded_supervisors"] = [{
            "supervisor_id": r["supervisor_id"], "supervisor": _name(org, r["supervisor_id"]),
            "mean_span": r.get("mean_span"), "span_now": r.get("span_now"), "total_span": r.get("total_span"),
            "supervisee_caseload": r.get("supervisee_caseload"), "reasons": "; ".join(r.get("reasons") or [])}
            for r in sup]
        seats = [r for r in (results.get("churn") or {}).get("seats", []) if r.get("flagged") or r.get("watch")]
        tables["churn_seats"] = [{
            "position_id": r["position_id"], "title": r.get("title"), "program_id": r.get("program_id"),
            "holders": r.get("holders"), "exits": r.get("exits"), "expected": r.get("expected"),
            "p_adjusted": r.get("p_adjusted"), "status": "flagged" if r.get("flagged") else "watch",
            "shared_factors": "; ".join(r.get("shared_factors") or [])} for r in seats]
    else:
        # totals and shares would give suppressed cells back: leave them out
        for r in tables["exits_by_quarter"]:
            r.pop("total")
        for r in tables["span_bands"]:
            r.pop("share")
        for name in tables:
            tables[name] = [{k: (v if k == "complete" else suppress(v, min_cell)) for k, v in r.items()}
                            for r in tables[name]]
    return tables


def _name(org: OrgGraph, staff_id: str) -> str:
    s = org.data.staff.get(staff_id)
    return s.name if s else ""


# ---------------------------------------------------------------- findings
def headline_findings(org: OrgGraph, *, as_of, results: dict, tables: dict, anonymize: bool = False,
                      key: str | None = None, min_cell: int = 5) -> list[str]:
    """A few plain-language sentences from the analyses.

    Anonymized, people appear as pseudonyms, counts of 1 to ``min_cell - 1``
    people read "fewer than ``min_cell``", org totals are rounded to tens, and
    a cascade is described by its rate, not by how many of whom left.
    """
    day = as_date(as_of)
    pseudo = Pseudonymizer(key) if anonymize else None

    def cnt(n) -> str:
        if anonymize and isinstance(n, int) and 0 < n < min_cell:
            return f"fewer than {min_cell}"
        return str(n)

    def total(n: int) -> str:
        return f"about {int(round(n, -1))}" if anonymize and n >= min_cell else cnt(n)

    def who(sid: str) -> str:
        if pseudo:
            return pseudo(sid)
        s = org.data.staff.get(sid)
        return f"{s.name} ({sid})" if s else sid

    out = []
    ts = pd.Timestamp(day)
    sf = org.staff_frame
    emp = int(((sf["hire"] <= ts) & (sf["exit"].isna() | (sf["exit"] >= ts))).sum())
    left = int(((sf["exit"] < ts) & (sf["exit"] >= ts - pd.DateOffset(years=1))).sum())
    n_prog = len(org.data.programs)
    out.append(f"On {day.isoformat()}, {total(emp)} people worked in {n_prog} program{'s' if n_prog != 1 else ''}; "
               f"{total(left)} left in the 12 months before.")
    cas = results.get("cascades") or {}
    flagged = [c for c in cas.get("cascades", []) if c.get("flagged") and as_date(c["exit_date"]) < day]
    org_hr = (cas.get("org") or {})
    window = (cas.get("settings") or {}).get("window_days")
    within = f"within {window} days" if window else "within the follow-up window"
    if org_hr.get("hazard_ratio") is not None and org_hr.get("ci_low") is not None:
        out.append(f"People left at {org_hr['hazard_ratio']:.1f} times the usual rate in the "
                   f"{f'{window} days' if window else 'months'} after their supervisor left (95% interval "
                   f"{org_hr['ci_low']:.1f} to {org_hr['ci_high']:.1f}).")
    for c in sorted(flagged, key=lambda c: -(c.get("relative_risk") or 0))[:3]:
        if anonymize:
            out.append(f"After {who(c['supervisor_id'])} left on {c['exit_date']}, the people they supervised left "
                       f"{within} at {c.get('relative_risk') or 0:.1f} times the usual rate.")
            continue
        out.append(f"After {who(c['supervisor_id'])} left on {c['exit_date']}, {c['observed']} of the "
                   f"{c['cohort_size']} people they supervised left {within}; about "
                   f"{c['expected']:.1f} would be expected.")
    if len(flagged) > 3:
        more = len(flagged) - 3
        out.append(f"{more} more supervisor exit{'s were' if more != 1 else ' was'} followed by unusually many "
                   f"departures.")
    ov = results.get("overload") or {}
    sup = [r for r in ov.get("supervisors", []) if r.get("overloaded")]
    if sup:
        n_all = len(ov.get("supervisors", []))
        if anonymize and len(sup) < min_cell:
            sent = f"Fewer than {min_cell} supervisors are overloaded"
        else:
            sent = f"{total(len(sup))} of {total(n_all)} supervisors {'is' if len(sup) == 1 else 'are'} overloaded"
        sent += " (span, supervisees' caseloads or missing supervision)."
        rr = ov.get("rate_ratio") or {}
        if rr.get("rate_ratio") is not None and rr.get("ci_low") is not None:
            sent += (f" Their supervisees left at {rr['rate_ratio']:.1f} times the rate of others (95% interval "
                     f"{rr['ci_low']:.1f} to {rr['ci_high']:.1f}).")
        out.append(sent)
    ch = results.get("churn") or {}
    seats = [r for r in ch.get("seats", []) if r.get("flagged")]
    if seats:
        top = seats[0]
        out.append(f"{len(seats)} seat{'s keep' if len(seats) != 1 else ' keeps'} turning over; the clearest is "
                   f"{top['position_id']} ({top.get('title') or 'seat'}): {cnt(top.get('holders'))} holders and "
                   f"{cnt(top.get('exits'))} exits, about {top.get('expected') or 0:.1f} expected.")
    if not (flagged or sup or seats):
        out.append("No supervisor-exit cascade, overloaded supervisor or churn seat stands out on this date.")
    return out


def _finding_text(f) -> str:
    if isinstance(f, str):
        return f
    if isinstance(f, dict):
        for k in ("text", "sentence", "headline", "finding", "summary"):
            if isinstance(f.get(k), str):
                return f[k]
    return str(f)


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
    with path.open("w", newline="", encoding="utf-8") as f:
        cols = list(rows[0]) if rows else _EMPTY_COLUMNS.get(name, [])
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})


def write_pack(org: OrgGraph, out_dir, *, as_of=None, findings=None, anonymize: bool = False, key: str | None = None,
               min_cell: int | None = None, lookback_days: int = DEFAULT_LOOKBACK_DAYS, results: dict | None = None,
               png: bool = True, title: str | None = None, own_findings: bool | None = None) -> dict:
    """Write a snapshot pack for ``as_of`` into ``out_dir``; return what was written.

    Parameters
    ----------
    org : OrgGraph
    out_dir : path
        Folder to write (created; existing pack files are replaced).
    as_of : date, optional
        Default: the last day of data.
    findings : list of str or dict, optional
        Headline findings from the caller (for example the audit's ranked
        findings). A dict gives its ``text`` (or ``sentence``/``headline``).
    own_findings : bool, optional
        Also list the pack's own sentences about cascades, overload and churn
        (default: only when ``findings`` is not given, to avoid saying the same
        thing twice). The opening headcount sentence is always there.
    anonymize, key, min_cell
        Pseudonyms keyed by ``key`` and suppression of cells under ``min_cell``
        people (default ``[privacy] min_cell``, 5).
    results : dict, optional
        Results of :func:`orgraph.render.maps.run_analyses` if already computed.
    png : bool
        Write ``map.png`` (set False to skip the screenshot).

    Returns
    -------
    dict
        ``out_dir``, ``files`` (name -> path), ``findings``, ``tables``,
        ``png_method`` (``chromium``, ``drawn`` or ``None``), ``nodes``, ``edges``.
    """
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
    if results is None:
        results = run_analyses(org, as_of=day)
    flags: MapFlags = flags_from_results(results, as_of=day)
    el = map_elements(org, as_of=day, flags=flags, lookback_days=lookback_days, anonymize=anonymize, key=key)
    map_kw = dict(as_of=day, flags=flags, lookback_days=lookback_days, anonymize=anonymize, key=key)
    map_html = build_map(org, **map_kw)
    files: dict[str, Path] = {}
    files["map.html"] = out / "map.html"
    files["map.html"].write_text(map_html, encoding="utf-8")

    png_bytes, png_method = None, None
    if png:
        static = build_map(org, **map_kw, physics=False)
        vis_nodes, vis_edges, _, _ = vis_network(el, physics=False)
        png_method = map_png(static, out / "map.png", fallback=(vis_nodes, vis_edges))
        files["map.png"] = out / "map.png"
        png_bytes = files["map.png"].read_bytes()

    status = {n["_raw"]: n["status"] for n in el["nodes"]}
    G = export_graph(org, as_of=day, status=status, anonymize=anonymize, key=key)
    files["graph.graphml"] = out / "graph.graphml"
    nx.write_graphml(G, files["graph.graphml"])
    files["graph.json"] = out / "graph.json"
    link = nx.node_link_data(G, edges="links", name="node")  # nodes carry their own "id" attribute
    link["graph"]["read_with"] = "networkx.node_link_graph(data, edges='links', name='node')"
    files["graph.json"].write_text(json.dumps(link, indent=1, ensure_ascii=False), encoding="utf-8")

    tables = pack_tables(org, as_of=day, results=results, anonymize=anonymize, key=key, min_cell=min_cell)
    for name, rows in tables.items():
        files[f"{name}.csv"] = out / f"{name}.csv"
        _write_csv(files[f"{name}.csv"], rows, name)

    all_findings = headline_findings(org, as_of=day, results=results, tables=tables, anonymize=anonymize, key=key,
                                     min_cell=min_cell)
    if own_findings is None:
        own_findings = findings is None
    if not own_findings:
        all_findings = all_findings[:1]
    all_findings += [_finding_text(f) for f in (findings or [])]
    notes = list(results.get("notes") or [])
    if png_method == "drawn":
        notes.append("map.png is a plain drawing of the network (Chromium was not found for a full screenshot).")
    index = index_html(title=title or f"Organization snapshot, {day.isoformat()}", day=day, findings=all_findings,
                       tables=tables, map_html=map_html, png=png_bytes, anonymize=anonymize, min_cell=min_cell,
                       notes=notes)
    files["index.html"] = out / "index.html"
    files["index.html"].write_text(index, encoding="utf-8")
    return {"out_dir": str(out), "as_of": day.isoformat(), "files": {k: str(v) for k, v in files.items()},
            "findings": all_findings, "tables": tables, "png_method": png_method,
            "nodes": len(el["nodes"]), "edges": len(el["edges"])}
