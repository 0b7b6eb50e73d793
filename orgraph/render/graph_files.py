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
import json
import math
import re

import networkx as nx
import pandas as pd

from ..graph import OrgGraph, node_key
from ..plain import json_text
from ..privacy import Pseudonymizer, month, tenure_band

__all__ = ["SnapshotExport", "snapshot_export", "graphml_text", "node_link_text", "plain_graph_texts", "READ_WITH"]

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


# ------------------------------------------------------------ column by column
#: A text as JSON, quoted and escaped as ``json.dumps(..., ensure_ascii=False)`` (and so :func:`json_text`) writes it.
_encode_str = json.encoder.encode_basestring
_JSON_VALUE = {str: _encode_str, int: int.__repr__, float: float.__repr__,
               bool: lambda v: "true" if v else "false"}


def _column_tags(col: list) -> dict:
    """The value types of ``col`` (``None`` left out), each with the row where it first appears."""
    types = list(map(type, col))
    return {t: types.index(t) for t in set(types) if t is not type(None)}


class _Declared:
    """GraphML keys in the order of their first use, as :func:`_graphml` declares them."""

    def __init__(self):
        self.keys: dict = {}
        self.decl: list[str] = []

    def opening(self, k, tv, scope: str, pad: str) -> str:
        t = _XML_TYPES.get(tv)
        if t is None or type(k) is not str:
            raise _NotPlain
        kid = self.keys.get((k, t, scope))
        if kid is None:
            kid = self.keys[(k, t, scope)] = f"d{len(self.keys)}"
            self.decl.append(f'<key id="{kid}" for="{scope}" attr.name="{_attr(k)}" attr.type="{t}"/>\n')
        return f'{pad}<data key="{kid}">'

    def declare(self, names: list, cols: list[list], scope: str, pad: str) -> list[dict]:
        """Declare the keys of a block of rows (attribute ``names[j]`` of row ``i`` is ``cols[j][i]``, ``None``
        for none) in the order a row by row writer meets them; the opening tag of each column by value type."""
        firsts = [_column_tags(c) for c in cols]
        met = sorted((row, j, t) for j, f in enumerate(firsts) for t, row in f.items())
        heads: list[dict] = [{} for _ in cols]
        for _, j, t in met:
            heads[j][t] = self.opening(names[j], t, scope, pad)
        return heads


def _xml_column(col: list, heads: dict) -> list[str]:
    """Each value of a column as its ``<data>`` element (``""`` for ``None``)."""
    if len(heads) == 1:
        (t, head), = heads.items()
        if t is str:
            present = [v for v in col if v is not None]
            if not _TEXT_SPECIAL("".join(present)):
                return ["" if v is None else head + v + "</data>\n" for v in col]
            return ["" if v is None else head + _text(v) + "</data>\n" for v in col]
        return ["" if v is None else head + str(v) + "</data>\n" for v in col]
    return ["" if v is None else heads[type(v)] + (_text(v) if type(v) is str else str(v)) + "</data>\n"
            for v in col]


def _json_column(name: str, col: list, pad: str) -> list[str]:
    """Each value of a column as ``,<newline><pad>"name": value`` (``""`` for ``None``)."""
    lead = ",\n" + pad + _encode_str(name) + ": "
    types = set(map(type, col)) - {type(None)}
    if len(types) == 1:
        enc = _JSON_VALUE.get(types.pop())
        if enc is None:
            raise _NotPlain
        return ["" if v is None else lead + enc(v) for v in col]
    if not types <= _JSON_VALUE.keys():
        raise _NotPlain
    return ["" if v is None else lead + _JSON_VALUE[type(v)](v) for v in col]


def _ids(keys: list) -> list[str]:
    """Node keys as GraphML attribute values."""
    if all(type(k) is str for k in keys) and not _ATTR_SPECIAL("".join(keys)):
        return keys
    if not all(type(k) is str for k in keys):
        raise _NotPlain
    return [_attr(k) for k in keys]


def _plain_columns(snap, status: dict | None):
    """The graph of :func:`_plain_export` as column blocks: ``(node blocks, edge block)``, each block
    ``(keys, names, columns)`` (an edge block's keys are ``(source, target)`` pairs, in the order
    :meth:`SnapshotExport.edges` gives them); ``None`` when a node key repeats, an edge repeats or has an end
    that is not a node (the general writer handles those)."""
    blocks = []
    for section, (keys, names, cols) in enumerate(snap.node_columns()):
        raw_ids = cols[1]
        cols = [_kept_column(c) for c in cols]
        names = list(names)
        if section == 0 and status:
            names.append("status")
            cols.append([status.get(i) if i in status else None for i in raw_ids])
        blocks.append((keys, names, cols))
    where: dict = {}
    for keys, _, _ in blocks:
        where.update(zip(keys, range(len(where), len(where) + len(keys))))
    if len(where) != sum(len(b[0]) for b in blocks):
        return None
    sources, targets, kinds, starts, ends = snap.edge_columns()
    pairs = list(zip(sources, targets))
    if len(set(pairs)) != len(pairs) or not where.keys() >= set(sources) | set(targets):
        return None
    rank = [where[u] for u in sources]
    order = sorted(range(len(pairs)), key=rank.__getitem__)     # by source, as a DiGraph's adjacency runs
    if order != list(range(len(pairs))):
        pairs = [pairs[i] for i in order]
        kinds, starts, ends = ([c[i] for i in order] for c in (kinds, starts, ends))
    return blocks, (pairs, ["kind", "start", "end"], [kinds, starts, ends])


def plain_graph_texts(org: OrgGraph, *, as_of, status: dict | None = None) -> tuple[str, str] | None:
    """``graph.graphml`` and ``graph.json`` of the snapshot on ``as_of`` without pseudonyms, written column by
    column from the day's rows: the same text as :func:`graphml_text` and :func:`node_link_text` of
    :func:`snapshot_export`, without a dict per node and edge or a writer call per value.

    Returns
    -------
    tuple of str or None
        The GraphML and the JSON text; ``None`` when the graph is not plain (a repeated node or edge, an edge
        to no node, a value that is not text, a whole number, a decimal or true/false, a character XML cannot
        hold): then :func:`snapshot_export` and the writers above are the way.
    """
    snap = org.on_day(as_of)
    got = _plain_columns(snap, status)
    if got is None:
        return None
    nodes, (pairs, enames, ecols) = got
    graph = {"as_of": snap.day.isoformat()}
    try:
        keys = _Declared()
        head = keys.opening("as_of", str, "graph", "") + _text(graph["as_of"]) + "</data>\n"
        xml = [head]
        js = []
        for block_keys, names, cols in nodes:
            heads = keys.declare(names, cols, "node", "  ")
            body = map("".join, zip(*(_xml_column(c, h) for c, h in zip(cols, heads))))
            xml += [f'<node id="{n}">\n{b}</node>\n' if b else f'<node id="{n}"/>\n'
                    for n, b in zip(_ids(block_keys), body)]
            jbody = map("".join, zip(*(_json_column(k, c, "   ") for k, c in zip(names, cols))))
            js += ["{" + b[1:] + ",\n   \"node\": " + _encode_str(n) + "\n  }" if b
                   else "{\n   \"node\": " + _encode_str(n) + "\n  }" for n, b in zip(block_keys, jbody)]
        heads = keys.declare(enames, ecols, "edge", "  ")
        body = map("".join, zip(*(_xml_column(c, h) for c, h in zip(ecols, heads))))
        us, vs = (_ids(list(c)) for c in zip(*pairs)) if pairs else ([], [])
        xml += [f'<edge source="{u}" target="{v}">\n{b}</edge>\n' if b else
                f'<edge source="{u}" target="{v}"/>\n' for u, v, b in zip(us, vs, body)]
        jbody = map("".join, zip(*(_json_column(k, c, "   ") for k, c in zip(enames, ecols))))
        links = ["{" + (b[1:] + ",") + "\n   \"source\": " + _encode_str(u) + ",\n   \"target\": "
                 + _encode_str(v) + "\n  }" if b else "{\n   \"source\": " + _encode_str(u)
                 + ",\n   \"target\": " + _encode_str(v) + "\n  }" for (u, v), b in zip(pairs, jbody)]
    except _NotPlain:
        return None
    graphml = (_HEAD + "".join(reversed(keys.decl)) + '<graph edgedefault="directed">' + "".join(xml)
               + "</graph></graphml>")
    top = json_text({"directed": True, "multigraph": False, "graph": {**graph, "read_with": READ_WITH}}, indent=1)
    listed = [("[\n  " + ",\n  ".join(items) + "\n ]") if items else "[]" for items in (js, links)]
    return graphml, top[:-2] + ',\n "nodes": ' + listed[0] + ',\n "links": ' + listed[1] + "\n}"
