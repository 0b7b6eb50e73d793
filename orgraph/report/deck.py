"""What a slide deck says: every slide's title, sentences, numbers and charts, from the audit and the pack.

:func:`audit_deck` and :func:`snapshot_deck` return a deck as plain data that
:func:`orgraph.render.slides.write_deck` draws with python-pptx, so every word
and figure on a slide is written here, in the one number style of
:mod:`orgraph.report.words`, from what the audit (``findings.json``) and the
pack (:func:`orgraph.report.pack.pack_content`) already hold. Anonymized, the
audit and the pack content are already pseudonymized; the deck adds no name.

A deck is ``{"title": str, "slides": [slide, ...]}``; a slide is a dict with

* ``layout``: ``"title"`` (``title`` and ``subtitle`` lines) or ``"content"``;
* ``title``: the slide's title;
* ``numbers``: callouts, each ``{"value": "$1,022,000", "label": "estimated cost"}``;
* ``bullets``: sentences;
* ``chart``: ``{"title", "categories", "series" ({name: values, None for a suppressed cell}),
  "number_format", "stacked", "note"}``;
* ``table``: ``{"columns": [...], "rows": [[...], ...]}``;
* ``image``: a file name in the pack folder (``"map.png"``) and ``caption``.

Examples
--------
>>> deck = snapshot_deck({"findings": ["On 2024-06-30, 12 people worked in 2 programs."], "tables": {},
...                       "notes": []}, day="2024-06-30", title="Organization snapshot, 2024-06-30")
>>> [s["title"] for s in deck["slides"]]
['Organization snapshot, 2024-06-30', 'On 2024-06-30', 'The supervision map', 'Appendix: how to read this deck']
"""
from __future__ import annotations

from .words import interval, money, percent, plural
from .kinds import HOW_TO_READ, KIND_TITLES

__all__ = ["audit_deck", "snapshot_deck", "FINDING_TITLES", "DECK_FINDINGS", "finding_numbers"]

#: Findings that get a slide each, in rank order; the others are counted on the slide after them.
DECK_FINDINGS = 6

#: A finding slide's title after its rank, by the finding's ``kind``.
FINDING_TITLES = KIND_TITLES

_HOW_TO_READ = HOW_TO_READ

_MAP_CAPTION = ("Arrows run from each person to their supervisor; programs are shaded regions. Colours mark who "
                "left, who is in the months after a supervisor left, overloaded supervisors, churn seats and "
                "cascades. The interactive map with every reason is map.html.")


def _title_slide(title: str, lines) -> dict:
    return {"layout": "title", "title": title, "subtitle": [x for x in lines if x]}


def finding_numbers(f: dict) -> list[dict]:
    """The callouts of a finding's slide: its dollars, its certainty and its rate ratio.

    Examples
    --------
    >>> [n["value"] for n in finding_numbers({"estimated_cost": 1022024.6, "certainty": "high", "claim": True,
    ...                                       "ratio": 2.5499, "ci_low": 1.7506, "ci_high": 3.7141})]
    ['$1,022,000', 'high', '2.5×']
    """
    cost = f.get("estimated_cost")
    out = [{"value": money(cost), "label": "estimated cost of the exits it explains"} if cost else
           {"value": "—", "label": "no separate dollar estimate" if f.get("claim") else
            "no dollars: no effect is claimed"}]
    out.append({"value": f.get("certainty") or "descriptive",
                "label": "certainty" if f.get("claim") else "certainty (said plainly, not claimed)"})
    if f.get("ratio") is not None:
        out.append({"value": f"{f['ratio']:.1f}×",
                    "label": f"the usual exit rate (95% interval {interval(f.get('ci_low'), f.get('ci_high'))})"})
    return out


def _finding_chart(f: dict) -> dict | None:
    if f.get("ratio") is None:
        return None
    return {"title": "Exit rate, times the org's usual rate", "categories": ["usual rate", "here"],
            "series": {"times the usual rate": [1.0, round(float(f["ratio"]), 2)]}, "number_format": '0.0"×"',
            "stacked": False, "note": f"95% interval {interval(f.get('ci_low'), f.get('ci_high'))}"}


def _finding_slide(f: dict) -> dict:
    evidence = [e for e in (f.get("evidence") or []) if not e.startswith("Estimated cost")][:2]
    return {"layout": "content", "title": f"{f['rank']}. {FINDING_TITLES.get(f['kind'], f['kind'])}",
            "numbers": finding_numbers(f), "bullets": [f["headline"]] + evidence, "chart": _finding_chart(f)}


def _exits_chart(tables: dict) -> dict | None:
    q = tables.get("exits_by_quarter") or []
    if not q:
        return None
    kinds = [k for k in q[0] if k not in ("quarter", "total", "complete")]
    suppressed = any(isinstance(r[k], str) for r in q for k in kinds)
    return {"title": "Exits per quarter by role kind",
            "categories": [r["quarter"] + ("" if r["complete"] else " so far") for r in q],
            "series": {k: [None if isinstance(r[k], str) else r[k] for r in q] for k in kinds},
            "number_format": "0", "stacked": True,
            "note": "Quarters with too few exits to show are left blank." if suppressed else None}


def _bar(tables: dict, name: str, label: str, value: str, title: str) -> dict | None:
    rows = tables.get(name) or []
    if not rows:
        return None
    return {"title": title, "categories": [r[label] for r in rows],
            "series": {value: [None if isinstance(r[value], str) else r[value] for r in rows]},
            "number_format": "0", "stacked": False,
            "note": "Bars with too few people to show are left out." if any(isinstance(r[value], str) for r in rows)
            else None}


def _map_slide(day: str) -> dict:
    return {"layout": "content", "title": "The supervision map", "image": "map.png",
            "caption": f"The organization on {day}. {_MAP_CAPTION}"}


def _changes_slides(changes: dict | None) -> list[dict]:
    if not changes:
        return []
    return [{"layout": "content", "title": f"What changed since {changes['since']}",
             "numbers": changes["numbers"], "bullets": changes["sentences"]}]


def _privacy(anonymize: bool, min_cell: int) -> list[str]:
    if not anonymize:
        return []
    return [f"Anonymized: people appear as pseudonyms (the same key gives the same pseudonym in every pack), and "
            f"counts of 1 to {min_cell - 1} people are not shown."]


def _appendix(notes, extra=()) -> dict:
    return {"layout": "content", "title": "Appendix: how to read this deck",
            "bullets": list(extra) + list(_HOW_TO_READ[:1]) + list(notes)}


def audit_deck(audit: dict, content: dict, *, changes: dict | None = None, top: int = DECK_FINDINGS,
               anonymize: bool = False, min_cell: int = 5) -> dict:
    """The slides of an audit: title, bottom line, one slide per top finding, map, risk, assumptions.

    Parameters
    ----------
    audit : dict
        From :func:`orgraph.report.audit.run_audit` (what ``findings.json`` holds; ``results`` is read for the
        cost model's assumptions when present).
    content : dict
        The pack's content (:func:`orgraph.report.pack.pack_content`): its tables give the charts.
    changes : dict, optional
        From :func:`orgraph.report.changes.changes_since`.
    top : int
        Findings that get a slide of their own.
    anonymize, min_cell
        Say on the last slide that the deck is anonymized and how small counts are kept back.

    Returns
    -------
    dict
        ``title`` and ``slides`` (see the module's docstring).
    """
    o = audit["org"]
    day = str(audit["as_of"])
    title = f"Turnover root-cause audit, {day}"
    slides = [_title_slide(title, [
        f"{plural(o['staff'], 'person', 'people')}, {plural(o['positions'], 'seat')} and "
        f"{plural(o['programs'], 'program')}; exits observed from {audit.get('window_start') or o['date_from']} "
        f"to {day}.",
        "Made by orgraph from the organization's own records."])]
    t = audit.get("total_exit_cost") or {}
    found = audit.get("findings") or []
    explained = sum(f.get("estimated_cost") or 0 for f in found)
    numbers = []
    if t:
        numbers = [{"value": money(t["cost"]), "label": f"what {plural(t['exits'], 'exit')} cost, "
                                                      f"{t['period_start']} to {t['period_end']}"},
                   {"value": money(explained), "label": "what the findings account for"},
                   {"value": str(sum(1 for f in found if f.get("claim"))), "label": "findings claimed"}]
    lines = list(audit.get("headlines") or [])[:2]
    rv = audit.get("risk_validation") or {}
    if rv.get("withheld"):
        lines.append(f"The list of who is at risk now is withheld. {rv.get('reason') or ''}".strip())
    slides.append({"layout": "content", "title": "The bottom line", "numbers": numbers, "bullets": lines,
                   "chart": _exits_chart(content.get("tables") or {})})
    slides += _changes_slides(changes)
    slides += [_finding_slide(f) for f in found[:top]]
    if len(found) > top:
        rest = found[top:]
        slides.append({"layout": "content", "title": "More findings",
                       "bullets": [f"{f['rank']}. {FINDING_TITLES.get(f['kind'], f['kind'])} ({f['certainty']})"
                                   for f in rest[:8]]
                       + ([f"{plural(len(rest) - 8, 'more finding')} in report.md."] if len(rest) > 8 else [])
                       + ["Each is set out with its evidence in report.md."]})
    slides.append(_map_slide(day))
    slides.append(_risk_slide(audit))
    slides.append(_assumptions_slide(audit, content, _privacy(anonymize, min_cell)))
    return {"title": title, "slides": slides}


def _factor(x) -> str:
    return str(x.get("factor", x) if isinstance(x, dict) else x).replace("_", " ")


def _risk_slide(audit: dict) -> dict:
    rv = audit.get("risk_validation") or {}
    slide = {"layout": "content", "title": "Who is at risk now"}
    if rv.get("withheld"):
        slide["bullets"] = [f"The ranked list is withheld. {rv.get('reason') or ''}".strip()]
        return slide
    if rv.get("concordance") is not None:
        slide["numbers"] = [{"value": percent(rv["concordance"]),
                             "label": f"of the time, past leavers ranked above stayers (95% interval "
                                      f"{percent(rv['ci_low'])}–{percent(rv['ci_high'])})"}]
    slide["bullets"] = [audit["risk_summary"]] if audit.get("risk_summary") else []
    rows = []
    for r in (audit.get("at_risk") or [])[:5]:
        who = f"{r['name']} ({r['staff_id']})" if r.get("name") else str(r.get("staff_id"))
        chance = r.get("exit_probability")
        rows.append([who, str(r.get("program_id") or ""), ", ".join(_factor(x) for x in r.get("factors") or []),
                     percent(chance) if chance is not None else ""])
    if rows:
        slide["table"] = {"columns": ["person", "program", "risk factors", "chance of leaving in 90 days"],
                          "rows": rows}
    return slide


def _assumptions_slide(audit: dict, content: dict, privacy: list[str]) -> dict:
    lines = privacy + list(_HOW_TO_READ)
    res = (audit.get("results") or {}).get("cost")
    model = res.extras.get("model") if res is not None else None
    if model:
        c = model["role_kinds"]["clinician"]
        v = model["vacancy"]["clinician"]
        vsrc = "this org's average" if v["source"] == "measured" else "an assumed"
        lines.append(f"One clinician exit costs about {money(c['total'])}: recruiting {money(c['recruiting'])}, "
                     f"onboarding {money(c['onboarding'])}, {vsrc} {v['days']:.0f} days of empty seat "
                     f"{money(c['vacancy'])} and {model['settings']['ramp_months']:g} months of ramp-up "
                     f"{money(c['ramp_up'])}. Every figure and its source is in `orgraph cost` and orgraph.toml "
                     "[cost].")
        if v["source"] != "measured" and v.get("inferred_exits"):
            lines.append(f"The empty-seat days are assumed, not measured: {v['reason']}.")
    lines += list(audit.get("untestable") or [])
    lines += list(content.get("notes") or audit.get("notes") or [])
    return {"layout": "content", "title": "Appendix: assumptions", "bullets": lines}


def snapshot_deck(content: dict, *, day: str, title: str, changes: dict | None = None, anonymize: bool = False,
                  min_cell: int = 5) -> dict:
    """The slides of a snapshot pack: title, the org on the day, what changed, the map, charts, how to read.

    Parameters
    ----------
    content : dict
        The pack's content (:func:`orgraph.report.pack.pack_content`): ``findings`` (sentences), ``tables``,
        ``notes``.
    day : str
        The snapshot's date (ISO).
    title : str
    changes : dict, optional
        From :func:`orgraph.report.changes.changes_since`.
    anonymize, min_cell
        Say on the last slide that the deck is anonymized and how small counts are kept back.
    """
    day = str(day)
    said = list(content.get("findings") or [])
    tables = content.get("tables") or {}
    slides = [_title_slide(title, ["The organization on one day, for a leadership meeting.",
                                   "Made by orgraph from the organization's own records."])]
    slides.append({"layout": "content", "title": f"On {day}", "bullets": said[:1], "chart": _exits_chart(tables)})
    slides += _changes_slides(changes)
    if said[1:]:
        slides.append({"layout": "content", "title": "What stands out", "bullets": said[1:]})
    slides.append(_map_slide(day))
    for chart in (_bar(tables, "span_bands", "band", "supervisors", "Supervisors by number of direct supervisees"),
                  _bar(tables, "caseload_distribution", "active_clients", "people",
                       "People by active clients this month")):
        if chart is not None:
            slides.append({"layout": "content", "title": chart["title"], "chart": chart})
    slides.append(_appendix(content.get("notes") or [], _privacy(anonymize, min_cell)))
    return {"title": title, "slides": slides}
