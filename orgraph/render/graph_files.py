"""The pack's graph files: the snapshot graph as ``graph.graphml`` and ``graph.json``, written straight from
the day's rows.

:func:`snapshot_export` builds what the files hold (the snapshot of
:meth:`orgraph.graph.OrgGraph.on_day` with dates as ISO strings, missing values
left out, a ``status`` on each person and, anonymized, pseudonyms) as plain
dicts in the order a NetworkX ``DiGraph`` keeps them; :func:`graphml_text` and
:func:`node_link_text` write the same bytes as ``networkx.write_graphml`` and
``json.dumps(networkx.node_link_data(...), indent=1)`` would, without building
the graph or running their per-element writers.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import networkx as nx
import pandas as pd

from ..graph import OrgGraph, node_key
from ..plain import json_text
from ..privacy import Pseudonymizer, month, tenure_band

__all__ = ["SnapshotExport", "snapshot_export", "graphml_text", "node_link_text", "READ_WITH"]

#: How to read ``graph.json`` back (nodes keep their own ``id`` attribute, so the node key is ``node``).
READ_WITH = "networkx.node_link_graph(data, edges='links', name='node')"


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


def _cleaned(attrs: dict) -> dict:
    """``{k: _clean(v)}``, with the common plain types passed through without a call."""
    out = {}
    for k, v in attrs.items():
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            out[k] = v
        elif t is dt.date:
            out[k] = v.isoformat()
        elif t is float:
            out[k] = v if math.isfinite(v) else None
        else:
            out[k] = _clean(v)
    return out


def _kept(attrs: dict) -> dict:
    """``{k: _clean(v)}`` without the keys whose value cleans to ``None`` (GraphML has no null), in one pass."""
    out = {}
    for k, v in attrs.items():
        t = type(v)
        if t is str or t is int or t is bool:
            out[k] = v
        elif v is None:
            continue
        elif t is dt.date:
            out[k] = v.isoformat()
        elif t is float:
            if math.isfinite(v):
                out[k] = v
        else:
            v = _clean(v)
            if v is not None:
                out[k] = v
    return out


_PRIVATE = ("name", "license", "annual_salary", "termination_reason", "termination_type", "hire_date", "start",
            "end", "termination_date")


class SnapshotExport:
    """A snapshot graph as plain dicts, with the semantics of a NetworkX ``DiGraph``: ``graph`` (its
    attributes), ``nodes`` (key -> attributes, in insertion order) and ``succ`` (u -> {v: attributes});
    adding a node or an edge again updates its attributes."""

    def __init__(self):
        self.graph: dict = {}
        self.nodes: dict = {}
        self.succ: dict = {}

    def add_node(self, n, attrs: dict) -> None:
        if n in self.nodes:
            self.nodes[n].update(attrs)
        else:
            self.nodes[n] = attrs
            self.succ[n] = {}

    def add_edge(self, u, v, attrs: dict) -> None:
        for n in (u, v):
            if n not in self.nodes:
                self.add_node(n, {})
        if v in self.succ[u]:
            self.succ[u][v].update(attrs)
        else:
            self.succ[u][v] = attrs

    def edges(self):
        """``(u, v, attributes)`` in the order ``DiGraph.edges(data=True)`` gives them."""
        for u, nbrs in self.succ.items():
            for v, a in nbrs.items():
                yield u, v, a

    def to_networkx(self) -> nx.DiGraph:
        G = nx.DiGraph()
        G.graph.update(self.graph)
        G.add_nodes_from(self.nodes.items())
        G.add_edges_from(self.edges())
        return G


def snapshot_export(org: OrgGraph, *, as_of, status: dict | None = None, anonymize: bool = False,
                    key: str | None = None) -> SnapshotExport:
    """The snapshot on ``as_of``, ready for GraphML and JSON (see :func:`orgraph.render.pack.export_graph`)."""
    snap = org.on_day(as_of)
    pseudo = Pseudonymizer(key) if anonymize else None

    def rename(n: str) -> str:
        kind, _, id_ = n.partition(":")
        if pseudo and kind == "staff":
            return node_key("staff", pseudo(id_))
        if pseudo and kind == "position":
            return node_key("position", pseudo.seat(id_))
        return n

    out = SnapshotExport()
    out.graph.update({k: v for k, v in ((k, _clean(v)) for k, v in {"as_of": snap.day.isoformat()}.items())
                      if v is not None})
    if pseudo is None:
        _plain_export(snap, status, out)
        return out
    for n, a in snap.nodes():
        attrs = _cleaned(a)
        if a.get("kind") == "staff":
            if status and a["id"] in status:
                attrs["status"] = status[a["id"]]
            if pseudo:
                for k in _PRIVATE:
                    attrs.pop(k, None)
                attrs["id"] = attrs["name"] = pseudo(a["id"])
                if attrs.get("position_id") is not None:
                    attrs["position_id"] = pseudo.seat(attrs["position_id"])
                if attrs.get("tenure_days") is not None:
                    attrs["tenure"] = tenure_band(attrs.pop("tenure_days"))
        elif a.get("kind") == "position" and pseudo:
            attrs["id"] = pseudo.seat(a["id"])
        out.add_node(rename(n) if pseudo else n, {k: v for k, v in attrs.items() if v is not None})
    for u, v, a in snap.edges():
        attrs = _cleaned(a)
        if pseudo:
            attrs = {k: (month(x) if k in ("start", "end") and x is not None else x) for k, x in attrs.items()}
            u, v = rename(u), rename(v)
        out.add_edge(u, v, {k: x for k, x in attrs.items() if x is not None})
    return out


_AS_IS = frozenset({str, int, bool, type(None)})


def _kept_column(col: list) -> list:
    """:func:`_kept`'s rule for each value of a column: the value as written, ``None`` where it is left out.

    Examples
    --------
    >>> _kept_column([1.5, float("nan"), None, dt.date(2024, 1, 2), "x"])
    [1.5, None, None, '2024-01-02', 'x']
    """
    if set(map(type, col)) <= _AS_IS:
        return col
    out = []
    for v in col:
        t = type(v)
        if t in _AS_IS:
            out.append(v)
        elif t is float:
            out.append(v if math.isfinite(v) else None)
        elif t is dt.date:
            out.append(v.isoformat())
        else:
            out.append(_clean(v))
    return out


def _plain_export(snap, status: dict | None, out: SnapshotExport) -> None:
    """The nodes and edges of ``snap`` into ``out``, not anonymized: what the general loop of
    :func:`snapshot_export` does without pseudonyms, read column by column
    (:meth:`orgraph.graph.DaySnapshot.node_columns`) rather than node by node."""
    nodes, succ = out.nodes, out.succ
    for section, (keys, names, cols) in enumerate(snap.node_columns()):
        raw_ids = cols[1]
        cols = [_kept_column(c) for c in cols]
        stat = [None] * len(keys)
        if section == 0 and status:
            stat = [status.get(i) if i in status else None for i in raw_ids]
        for n, row, st in zip(keys, zip(*cols), stat):
            attrs = {k: v for k, v in zip(names, row) if v is not None}
            if st is not None:
                attrs["status"] = st
            if n in nodes:
                nodes[n].update(attrs)
            else:
                nodes[n] = attrs
                succ[n] = {}
    sources, targets, kinds, starts, ends = snap.edge_columns()
    for x in sources + targets:                 # an edge's ends are nodes already, but for a dangling link
        if x not in nodes:
            break
    else:
        x = None
    if x is not None:
        for u, v in zip(sources, targets):
            for x in (u, v):
                if x not in nodes:
                    nodes[x] = {}
                    succ[x] = {}
    for u, v, k, s, e in zip(sources, targets, kinds, starts, ends):
        if s is None:
            attrs = {"kind": k} if e is None else {"kind": k, "end": e}
        else:
            attrs = {"kind": k, "start": s} if e is None else {"kind": k, "start": s, "end": e}
        nbrs = succ[u]
        if v in nbrs:
            nbrs[v].update(attrs)
        else:
            nbrs[v] = attrs


# ------------------------------------------------------------------ GraphML
_XML_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
#: Characters XML 1.0 cannot hold (lxml refuses them): such a graph goes through NetworkX's own writer.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]").search
_ATTR_SPECIAL = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]').search
_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
_HEAD = ("<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing"
         ".org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">")


class _NotPlain(Exception):
    """A value the fast writer does not write the way NetworkX would: let NetworkX write the file."""


def _escaped(s: str, chars: str) -> str:
    if _NOT_XML.search(s):
        raise _NotPlain
    return "".join(_ESCAPE[c] if c in chars else c for c in s)


def _text(s: str) -> str:
    """Element text as lxml writes it."""
    return _escaped(s, "&<>\r") if _TEXT_SPECIAL(s) else s


def _attr(s: str) -> str:
    """An attribute value as lxml writes it."""
    return _escaped(s, '&<>"\r\n\t') if _ATTR_SPECIAL(s) else s


def _graphml(g: SnapshotExport) -> str:
    keys: dict = {}
    decl: list[str] = []
    body: list[str] = []
    add = body.append

    def opening(k, tv, scope: str, pad: str) -> str:
        """``<data key="dN">`` for attribute ``k`` of type ``tv`` (declaring the key on first use)."""
        t = _XML_TYPES.get(tv)
        if t is None or type(k) is not str:
            raise _NotPlain
        kid = keys.get((k, t, scope))
        if kid is None:
            kid = keys[(k, t, scope)] = f"d{len(keys)}"
            decl.append(f'<key id="{kid}" for="{scope}" attr.name="{_attr(k)}" attr.type="{t}"/>\n')
        return f'{pad}<data key="{kid}">'

    def data(items, scope: str, pad: str, known: dict) -> None:
        """``known``: for each value type, attribute -> its opening tag (text values looked up first)."""
        text = known[str]
        for k, v in items:
            tv = type(v)
            if tv is str:
                head = text.get(k)
                if head is None:
                    head = text[k] = opening(k, tv, scope, pad)
                add(head + (_escaped(v, "&<>\r") if _TEXT_SPECIAL(v) else v) + "</data>\n")
                continue
            by_type = known.get(tv)
            if by_type is None:
                by_type = known[tv] = {}
            head = by_type.get(k)
            if head is None:
                head = by_type[k] = opening(k, tv, scope, pad)
            add(head + str(v) + "</data>\n")

    data(g.graph.items(), "graph", "", {str: {}})
    known: dict = {str: {}}
    for n, a in g.nodes.items():
        if type(n) is not str:
            raise _NotPlain
        if a:
            add(f'<node id="{_attr(n)}">\n')
            data(a.items(), "node", "  ", known)
            add("</node>\n")
        else:
            add(f'<node id="{_attr(n)}"/>\n')
    known = {str: {}}
    for u, nbrs in g.succ.items():
        source = _attr(u)
        for v, a in nbrs.items():
            if a:
                add(f'<edge source="{source}" target="{_attr(v)}">\n')
                data(a.items(), "edge", "  ", known)
                add("</edge>\n")
            else:
                add(f'<edge source="{source}" target="{_attr(v)}"/>\n')
    return _HEAD + "".join(reversed(decl)) + '<graph edgedefault="directed">' + "".join(body) + "</graph></graphml>"


def graphml_text(g: SnapshotExport, path) -> None:
    """Write ``g`` to ``path`` as ``networkx.write_graphml(g.to_networkx(), path)`` does, byte for byte.

    Plain values (text, whole numbers, decimals, true/false) are written here; a graph holding anything
    else (another type, or a character XML cannot hold) is handed to NetworkX.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> g = SnapshotExport()
    >>> g.graph["as_of"] = "2024-01-31"
    >>> g.add_node("staff:S1", {"kind": "staff", "fte": 1.0, "external": False})
    >>> g.add_node("staff:S2", {"kind": "staff"})
    >>> g.add_edge("staff:S2", "staff:S1", {"kind": "SUPERVISED_BY"})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     mine, theirs = pathlib.Path(tmp, "a.graphml"), pathlib.Path(tmp, "b.graphml")
    ...     graphml_text(g, mine)
    ...     nx.write_graphml(g.to_networkx(), theirs)
    ...     mine.read_bytes() == theirs.read_bytes()
    True
    """
    try:
        text = _graphml(g)
    except _NotPlain:
        nx.write_graphml(g.to_networkx(), path)
        return
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def node_link_text(g: SnapshotExport) -> str:
    """``graph.json``: ``json.dumps(node_link_data(G, edges="links", name="node"), indent=1)`` of ``g``, with
    ``read_with`` (how to read it back) among the graph's attributes.

    Examples
    --------
    >>> g = SnapshotExport()
    >>> g.add_edge("a", "b", {"kind": "HOLDS"})
    >>> print(node_link_text(g).splitlines()[-7:-2])
    ['  {', '   "kind": "HOLDS",', '   "source": "a",', '   "target": "b"', '  }']
    """
    doc = {"directed": True, "multigraph": False, "graph": {**g.graph, "read_with": READ_WITH},
           "nodes": [{**a, "node": n} for n, a in g.nodes.items()],
           "links": [{**a, "source": u, "target": v} for u, v, a in g.edges()]}
    return json_text(doc, indent=1)
