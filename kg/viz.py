"""`kg viz`: the document graph as one self-contained, offline HTML page.

The page is built from our own template (`templates/viz.html`) with pyvis's copy of
vis-network inlined, not from pyvis's `Network`: pyvis's page loads bootstrap and more
from CDNs (it never renders offline), inserts its heading and menu options unescaped,
switches every tooltip to innerHTML when one title contains `href`, and adds nodes in
quadratic time. Here every text reaches the page once, as JSON inside a
`<script type="application/json">` block with `<`, `>` and `&` escaped, and the page's
script shows it with `textContent` only; a Content-Security-Policy with the hashes of
our two scripts forbids any other script and any request.

Positions are computed here (a layered layout: central documents on top, then province,
district, commune), so the browser draws a 2,000-node graph without running physics;
the force layout is a toggle that stops once stabilised.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import jinja2
import networkx as nx
import pyoxigraph as ox
from markupsafe import Markup

from kg.export import document_graph
from kg.store import Store, restricted_to
from kg.trace import level_of_symbol
from kg.vocab import LEVEL, sparql_prefixes, vocabulary

DIRECTIONS = ("up", "down", "both")
LEVELS = ("central", "province", "district", "commune", "unknown")
LEVEL_COLOURS = {
    "central": "#c0392b",
    "province": "#2471a3",
    "district": "#229954",
    "commune": "#d68910",
    "unknown": "#7f8c8d",
}
# Shapes drawn with the label below them: only those take a size.
TYPE_SHAPES = {
    "Nghị quyết": "diamond",
    "Chỉ thị": "triangle",
    "Kết luận": "star",
    "Kế hoạch": "dot",
    "Hướng dẫn": "triangleDown",
    "Chương trình": "hexagon",
}
OTHER_SHAPE = "square"
RELATION_STYLES = {  # colour, dash pattern (empty: solid)
    "implements": ("#1f3a93", []),
    "based_on": ("#7d3c98", [10, 5]),
    "guides": ("#117a65", [4, 4]),
    "amends": ("#ca6f1e", [10, 4, 2, 4]),
    "replaces": ("#b03a2e", [14, 6]),
    "repeals": ("#17202a", [2, 6]),
    "summarizes": ("#b7950b", [6, 3]),
    "cites": ("#99a3a4", [2, 3]),
}
EVIDENCE_SHOWN = 5  # sentences in an edge's tooltip; the count says how many more
SENTENCE_CHARS = 400
ROW_WIDTH = 40  # nodes on one line of the layout before it wraps
X_GAP, Y_GAP, BAND_GAP = 170, 120, 60


class VizError(Exception):
    """A view that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class Selection:
    """Which part of the graph to show; empty fields select everything."""

    root: str | None = None  # URI of the document whose chain is shown
    depth: int = 10
    direction: str = "both"  # up: what it implements or cites; down: what implements it
    provinces: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    since: str | None = None  # ISO dates, compared with a document's earliest date
    until: str | None = None


@dataclass
class View:
    graph: nx.MultiDiGraph
    title: str
    notices: list[str] = field(default_factory=list)


# ---- reading the store -------------------------------------------------------------------


def neighbourhood(
    store: Store, root: str, direction: str = "both", relations: tuple[str, ...] = (), depth: int = 10
) -> set[str]:
    """`root` and the documents its relations (all, or the named ones) reach in at most
    `depth` steps, up (what it implements or cites), down (what implements it) or both:
    what `select` can show of a focused page, and no more."""
    properties = vocabulary().relation_properties
    path = "|".join(str(ox.NamedNode(properties[name])) for name in relations or properties if name in properties)
    steps = {"up": f"?node ({path}) ?other", "down": f"?other ({path}) ?node"}
    reached = {root}
    # A step at a time: a `+` path would follow a widely cited document past the depth
    # the page shows, over a large part of a large graph.
    for way in ("up", "down") if direction == "both" else (direction,):
        walked, frontier = {root}, {root}
        for _ in range(depth):
            nodes = [ox.NamedNode(node) for node in sorted(frontier)]
            rows = store.lexical_rows(f"SELECT DISTINCT ?other WHERE {{ {steps[way]} }}", {"node": nodes})
            frontier = {other for (other,) in rows} - walked
            if not frontier:
                break
            walked |= frontier
        reached |= walked
    return reached


def view_graph(store: Store, documents: Collection[str] | None = None) -> nx.MultiDiGraph:
    """The document graph of `kg export` (of `documents` only, when given) with what the page
    shows besides: each node's level, province, issuer, title and type code, each edge's
    evidence sentences."""
    graph = document_graph(store, documents)
    details = store.select(
        sparql_prefixes()
        + f"""SELECT ?d (SAMPLE(?titleText) AS ?title) (MIN(?issuerName) AS ?issuer)
                (SAMPLE(?levelNode) AS ?level) (MIN(?notation) AS ?code) (SAMPLE(?provinceName) AS ?province)
        WHERE {{
            {{ SELECT DISTINCT ?d WHERE {{ {restricted_to("d", documents)} ?d kg:mentionedIn ?text }} }}
            OPTIONAL {{ ?d eli:title ?titleText }}
            OPTIONAL {{ ?d eli:passed_by ?agent OPTIONAL {{ ?agent rdfs:label ?issuerName }} OPTIONAL {{ ?agent kg:level ?levelNode }} }}
            OPTIONAL {{ ?d eli:type_document ?type OPTIONAL {{ ?type skos:notation ?notation }} }}
            OPTIONAL {{ ?d kg:locality ?place OPTIONAL {{ ?place rdfs:label ?placeName }}
                       OPTIONAL {{ ?place dcterms:isPartOf ?parent OPTIONAL {{ ?parent rdfs:label ?parentName }} }} }}
            BIND(COALESCE(?parentName, ?placeName) AS ?provinceName)
        }} GROUP BY ?d"""
    )
    for row in details:
        node = str(row["d"])
        if node not in graph:
            continue
        data = graph.nodes[node]
        data["title"] = str(row.get("title", ""))
        data["issuer"] = str(row.get("issuer", ""))
        data["type_code"] = str(row.get("code", ""))
        data["province"] = str(row.get("province", ""))
        level = str(row["level"]).removeprefix(LEVEL) if "level" in row else None
        if level is None and data["kind"] == "document":
            level = level_of_symbol(data["label"])
        data["level"] = level if level in LEVELS else "unknown"
    evidence = store.select(
        sparql_prefixes()
        + f"""SELECT ?s ?p ?o ?sentence ?cue ?location WHERE {{
            {restricted_to("s", documents)}
            # The class as a filter, as in kg.export's edges: it keeps the documents asked for first.
            GRAPH ?g {{ ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence ?sentence .
                       ?g kg:location ?location FILTER EXISTS {{ ?e a kg:Evidence }} }}
            # Outside the GRAPH block: an OPTIONAL inside it would have the block evaluated
            # apart from the documents asked for, over every text's evidence.
            OPTIONAL {{ GRAPH ?g {{ ?e kg:cue ?cue }} }}
        }} ORDER BY ?location ?sentence"""
    )
    relation_names = {prop: name for name, prop in vocabulary().relation_properties.items()}
    for row in evidence:
        relation = relation_names.get(str(row["p"]), str(row["p"]))
        edge = graph.get_edge_data(str(row["s"]), str(row["o"]), relation)
        if edge is not None:
            item = {"sentence": str(row["sentence"]), "cue": str(row.get("cue", "")), "source": str(row["location"])}
            edge.setdefault("evidence", []).append(item)
    return graph


# ---- choosing what to show ---------------------------------------------------------------


def earliest(data: dict) -> str:
    return min((d for d in data.get("date", "").split(";") if d), default="")


def _passes(data: dict, selection: Selection) -> bool:
    if selection.provinces and data.get("province", "").casefold() not in {p.casefold() for p in selection.provinces}:
        return False
    if selection.types and data.get("type", "").casefold() not in {t.casefold() for t in selection.types}:
        return False
    date = earliest(data)
    if (selection.since or selection.until) and not date:
        return False
    return not ((selection.since and date < selection.since) or (selection.until and date > selection.until))


def _chain(graph: nx.MultiDiGraph, root: str, depth: int, up: bool) -> nx.DiGraph:
    """The documents `depth` steps above (up) or below `root`, with the edges walked."""
    walked = nx.DiGraph()
    walked.add_node(root)
    frontier = [root]
    for _ in range(depth):
        following = []
        for node in frontier:
            neighbours = graph.successors(node) if up else graph.predecessors(node)
            for other in neighbours:
                if other not in walked:
                    following.append(other)
                walked.add_edge(*((node, other) if up else (other, node)))
        frontier = following
    return walked


def _reachable(graph: nx.DiGraph, sources: set[str]) -> set[str]:
    """`sources` and every node reachable from one of them (one walk for all)."""
    seen = set(sources)
    stack = list(sources)
    while stack:
        for other in graph.successors(stack.pop()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def select(graph: nx.MultiDiGraph, selection: Selection) -> nx.MultiDiGraph:
    """The part of `graph` that `selection` asks for.

    Filters (province, type, dates) choose documents; the documents that link a chosen
    one to the root (or, without a root, that a chosen one links to) stay as context,
    marked `context`, so that the chosen ones are not drawn adrift.
    """
    relations = set(selection.relations)
    unknown = relations - set(RELATION_STYLES)
    if unknown:
        raise VizError(f"--relation {', '.join(sorted(unknown))}: choose among {', '.join(RELATION_STYLES)}")
    edges = nx.MultiDiGraph()
    edges.add_nodes_from(graph.nodes(data=True))
    edges.add_edges_from(
        (s, t, k, d) for s, t, k, d in graph.edges(keys=True, data=True) if not relations or k in relations
    )
    if selection.root is not None:
        if selection.root not in graph:
            raise VizError(f"{selection.root} is not a document of the graph")
        kept: set[str] = {selection.root}
        for up in {"up": (True,), "down": (False,), "both": (True, False)}[selection.direction]:
            walked = _chain(edges, selection.root, selection.depth, up)
            chosen = {n for n in walked if _passes(graph.nodes[n], selection)} | {selection.root}
            # A chosen document's path to the root runs along the walked edges: towards
            # the root is forward when walking down, backward when walking up.
            kept |= _reachable(walked.reverse(copy=False) if up else walked, chosen)
        chosen_overall = {n for n in kept if _passes(graph.nodes[n], selection)} | {selection.root}
    else:
        chosen_overall = {n for n, data in graph.nodes(data=True) if _passes(data, selection)}
        kept = set(chosen_overall)
        if chosen_overall != set(graph):
            kept |= {t for n in chosen_overall for t in edges.successors(n)}
    shown = edges.subgraph(kept).copy()
    for node in shown:
        shown.nodes[node]["context"] = node not in chosen_overall
    return shown


def aggregate(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Local documents collapsed into one node per province, level and type, with a count.

    Central documents stay as they are; edges between groups are merged, counting the
    relations and texts they stand for.
    """
    group_of: dict[str, str] = {}
    collapsed = nx.MultiDiGraph()
    members: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data.get("level") in ("province", "district", "commune") and data.get("province"):
            group = f"group:{data['province']}|{data['level']}|{data.get('type', '')}"
            members[group].append(node)
            group_of[node] = group
        else:
            group_of[node] = node
            collapsed.add_node(node, **data)
    for group, nodes in members.items():
        first = graph.nodes[nodes[0]]
        collapsed.add_node(
            group,
            kind="group",
            label=f"{first['province']} · {first.get('type') or 'văn bản'} ({len(nodes)})",
            type=first.get("type", ""),
            type_code=first.get("type_code", ""),
            level=first["level"],
            province=first["province"],
            locality=first["province"],
            members=sorted(graph.nodes[n]["label"] for n in nodes),
            context=all(graph.nodes[n].get("context") for n in nodes),
            date="",
            sources=sum(graph.nodes[n].get("sources", 0) for n in nodes),
        )
    for source, target, relation, data in graph.edges(keys=True, data=True):
        ends = group_of[source], group_of[target]
        if ends[0] == ends[1]:
            continue
        merged = collapsed.get_edge_data(*ends, relation)
        if merged is None:
            collapsed.add_edge(*ends, key=relation, relation=relation, sources=0, relations=0, evidence=[])
            merged = collapsed.get_edge_data(*ends, relation)
        merged["sources"] += data.get("sources", 0)
        merged["relations"] += 1
        merged["evidence"] += data.get("evidence", [])
    return collapsed


# ---- layout ------------------------------------------------------------------------------


def _band_rows(graph: nx.MultiDiGraph, nodes: list[str]) -> dict[str, int]:
    """Row of each node inside its level band: below every same-level document it links to."""
    inside = nx.DiGraph(graph.subgraph(nodes).edges())
    inside.add_nodes_from(nodes)
    condensed = nx.condensation(inside)  # cycles (A cites B, B cites A) share a row
    depth: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        depth[component] = 1 + max((depth[c] for c in condensed.successors(component)), default=-1)
    return {node: depth[condensed.graph["mapping"][node]] for node in nodes}


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions: levels top to bottom, each document below what it links to at its level,
    rows ordered by the mean position of linked documents (fewer crossings), long rows wrapped."""
    bands: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        bands[data.get("level", "unknown")].append(node)
    lines: list[list[str]] = []
    gaps: list[float] = []  # extra space above each line
    for level in LEVELS:
        if not bands[level]:
            continue
        rows = _band_rows(graph, bands[level])
        by_row: dict[int, list[str]] = defaultdict(list)
        for node in bands[level]:
            by_row[rows[node]].append(node)
        for index, row in enumerate(by_row[r] for r in sorted(by_row)):
            row.sort(key=lambda n: _order_key(graph.nodes[n], n))
            for start in range(0, len(row), ROW_WIDTH):
                lines.append(row[start : start + ROW_WIDTH])
                gaps.append(BAND_GAP if index == 0 and start == 0 and lines[:-1] else 0)
    slot = {node: float(index) for line in lines for index, node in enumerate(line)}
    undirected = graph.to_undirected(as_view=True)
    for sweep in (lines, lines[::-1], lines, lines[::-1]):
        placed: set[str] = set()
        for line in sweep:
            for node in line:
                around = [slot[n] for n in undirected.neighbors(node) if n in placed]
                slot[node] = sum(around) / len(around) if around else slot[node]
            line.sort(key=lambda n: slot[n])
            for index, node in enumerate(line):
                slot[node] = index - (len(line) - 1) / 2
            placed.update(line)
    positions = {}
    y = 0.0
    for line, gap in zip(lines, gaps, strict=True):
        y += gap
        for node in line:
            positions[node] = (slot[node] * X_GAP, y)
        y += Y_GAP
    return positions


def _order_key(data: dict, node: str) -> tuple:
    return (data.get("province", ""), data.get("type", ""), earliest(data), data.get("label", ""), node)


# ---- the page ------------------------------------------------------------------------------


def searchable(text: str) -> str:
    """Lower case without diacritics, so that "ha tinh" finds "Hà Tĩnh" (the page's
    script folds what is typed the same way)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def short_label(data: dict) -> str:
    """ "KH 129-KH/TU" over the locality for a document; a shortened name otherwise."""
    if data["kind"] == "group":
        return data["label"]
    name = data["label"]
    if data["kind"] == "document":
        name = f"{data['type_code']} {name}" if data.get("type_code") else name
    elif len(name) > 32:
        name = name[:31] + "…"
    local = data.get("level") != "central" and data.get("locality")
    return f"{name}\n{data['locality']}" if local else name


def _node_tooltip(data: dict, implementers: int) -> str:
    if data["kind"] == "group":
        listed = ", ".join(data["members"][:20]) + (" …" if len(data["members"]) > 20 else "")
        return f"{data['label']}\n{len(data['members'])} documents collapsed into one node: {listed}"
    lines = [
        ("id", data["label"]),
        ("type", data.get("type", "")),
        ("date", ", ".join(d for d in data.get("date", "").split(";") if d)),
        ("issuer", data.get("issuer", "")),
        ("locality", data.get("locality", "")),
        ("title", data.get("title", "")),
        ("implemented by", str(implementers) if implementers else ""),
        ("status", "unresolved reference: its identity is not settled" if data["kind"] == "unresolved" else ""),
        ("mentioned in", f"{data.get('sources', 0)} text(s)"),
    ]
    return "\n".join(f"{name}: {value}" for name, value in lines if value)


def _edge_tooltip(graph: nx.MultiDiGraph, source: str, target: str, data: dict) -> str:
    relation = data["relation"]
    names = vocabulary().labels
    relation_label = names.get(vocabulary().relation_properties.get(relation, ""), relation)
    ends = [graph.nodes[source]["label"], graph.nodes[target]["label"]]
    lines = [f"{ends[0]} —{relation_label} ({relation})→ {ends[1]}", f"stated by {data.get('sources', 0)} text(s)"]
    evidence = data.get("evidence", [])
    for item in evidence[:EVIDENCE_SHOWN]:
        sentence = item["sentence"]
        sentence = sentence if len(sentence) <= SENTENCE_CHARS else sentence[: SENTENCE_CHARS - 1] + "…"
        cue = f" (cue: {item['cue']})" if item.get("cue") else ""
        lines += ["", f"“{sentence}”", f"  — {item['source']}{cue}"]
    if len(evidence) > EVIDENCE_SHOWN:
        lines += ["", f"… and {len(evidence) - EVIDENCE_SHOWN} more sentences"]
    return "\n".join(lines)


def _size(count: int) -> float:
    return round(min(12 + 6 * math.sqrt(count), 48), 1)


def page_data(view: View) -> dict:
    """Everything the page shows, as plain data; the script only styles and draws it."""
    graph = view.graph
    positions = layout(graph)
    implementers = {
        node: len({s for s, _, k in graph.in_edges(node, keys=True) if k == "implements"}) for node in graph
    }
    nodes = []
    for node, data in graph.nodes(data=True):
        x, y = positions[node]
        count = len(data["members"]) if data["kind"] == "group" else implementers[node]
        words = [data["label"], data.get("type", ""), data.get("title", ""), data.get("locality", "")]
        nodes.append(
            {
                "id": node,
                "label": short_label(data),
                "name": data["label"],
                "tooltip": _node_tooltip(data, implementers[node]),
                "kind": data["kind"],
                "level": data.get("level", "unknown"),
                "type": data.get("type", ""),
                "shape": TYPE_SHAPES.get(data.get("type", ""), OTHER_SHAPE),
                "size": _size(count),
                "context": bool(data.get("context")),
                "search": searchable(" ".join(words)),
                "x": round(x, 1),
                "y": round(y, 1),
            }
        )
    edges = [
        {
            "from": source,
            "to": target,
            "relation": data["relation"],
            "sources": data.get("sources", 0),
            "tooltip": _edge_tooltip(graph, source, target, data),
        }
        for source, target, data in graph.edges(data=True)
    ]
    return {"title": view.title, "notices": view.notices, "nodes": nodes, "edges": edges, "styles": _styles(graph)}


def _styles(graph: nx.MultiDiGraph) -> dict:
    vocab = vocabulary()
    present_types = sorted({d.get("type", "") for _, d in graph.nodes(data=True)} - {""})
    shapes = {TYPE_SHAPES.get(t, OTHER_SHAPE) for t in present_types}
    other = [t for t in present_types if t not in TYPE_SHAPES]
    return {
        "levels": [
            {"name": level, "label": vocab.labels.get(LEVEL + level, "không rõ cấp"), "colour": LEVEL_COLOURS[level]}
            for level in LEVELS
        ],
        "relations": [
            {
                "name": name,
                "label": vocab.labels.get(vocab.relation_properties[name], name),
                "colour": colour,
                "dashes": dashes,
            }
            for name, (colour, dashes) in RELATION_STYLES.items()
        ],
        "types": [{"label": t, "shape": s} for t, s in TYPE_SHAPES.items() if s in shapes and t in present_types]
        + ([{"label": ", ".join(other), "shape": OTHER_SHAPE}] if other else []),
    }


def _inline(text: str, tag: str) -> str:
    """Our own script or stylesheet, checked to hold nothing that would end its element
    early (`</script`, or `<!--`, after which a `<script` in a string would)."""
    for ending in (f"</{tag}", "<!--"):
        if ending in text.casefold():
            raise VizError(f"an inlined {tag} contains {ending}; it cannot be embedded safely")
    return text


def _json_for_html(data: dict) -> str:
    """JSON that no text can end early: `<`, `>` and `&` as escapes, and the two line
    separators JavaScript once treated as line ends."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def vis_network_js() -> str:
    """The vis-network build that pyvis ships in its package."""
    return files("pyvis").joinpath("lib/vis-9.1.2/vis-network.min.js").read_text(encoding="utf-8")


def render(view: View) -> str:
    """The page: one HTML document with its scripts, styles and data inline."""
    templates = files("kg").joinpath("templates")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(templates.joinpath("viz.html").read_text(encoding="utf-8"))
    scripts = [vis_network_js(), templates.joinpath("viz.js").read_text(encoding="utf-8")]
    style = templates.joinpath("viz.css").read_text(encoding="utf-8")
    return template.render(
        title=view.title,
        notices=view.notices,
        style=Markup(_inline(style, "style")),
        scripts=[Markup(_inline(script, "script")) for script in scripts],
        script_hashes=" ".join(_script_hash(script) for script in scripts),
        data=Markup(_json_for_html(page_data(view))),
    )


# ---- the whole job -----------------------------------------------------------------------


def make_view(
    graph: nx.MultiDiGraph,
    selection: Selection,
    title: str,
    limit: int,
    collapse: bool = False,
) -> View:
    """The selected graph, collapsed by province when asked or when it is above `limit`."""
    shown = select(graph, selection)
    view = View(shown, title)
    if collapse or len(shown) > limit:
        if not collapse:
            view.notices.append(
                f"{len(shown):,} documents are more than this page draws well ({limit:,}): local documents are"
                " collapsed into one node per province, level and type. Name a document (kg viz DOC) or filter"
                " (--province, --type, --since) to see them one by one."
            )
        view.graph = aggregate(shown)
        if len(view.graph) > limit:
            raise VizError(
                f"{len(shown):,} documents, {len(view.graph):,} even collapsed by province, are above the limit of"
                f" {limit:,}: name a document (kg viz DOC --depth 2) or filter with --province, --type or --since"
            )
    return view


def write(view: View, output: str | Path) -> None:
    Path(output).write_text(render(view), encoding="utf-8")
