"""`analyze`: the citation graph in networkx, and what its shape tells.

- reach: how many documents implement a document, directly or through others;
- chain depth: the longest implementation chain beneath a document;
- centrality: PageRank over every relation (a document many cite, or cited by
  well-cited documents, ranks high);
- cycles of kg:implements: a document cannot implement what implements it, so every
  cycle is a data error, listed with the sentences that state its links;
- implementation lag: days from a document's date to its direct implementers' dates,
  summarised per level of the implementer.

Dates are a document's earliest date over all texts, as everywhere else in kg.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date as Date

import networkx as nx
from pyoxigraph import Literal, NamedNode

from kg.export import document_graph
from kg.queries import load, solve
from kg.store import Store

IMPLEMENTS = "implements"


@dataclass(frozen=True)
class Ranked:
    document: str  # IRI
    label: str
    value: float


@dataclass(frozen=True)
class Link:
    implementer: str
    implemented: str
    sentences: tuple[str, ...]  # "location: sentence" of each text stating the link


@dataclass(frozen=True)
class Lag:
    level: str
    links: int  # implements links with both dates known
    median_days: float
    min_days: int
    max_days: int


@dataclass
class Analysis:
    documents: int = 0
    implements_links: int = 0
    reach: list[Ranked] = field(default_factory=list)
    depth: list[Ranked] = field(default_factory=list)
    central: list[Ranked] = field(default_factory=list)
    cycles: list[list[Link]] = field(default_factory=list)
    lag: list[Lag] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def implements_graph(citations: nx.MultiDiGraph) -> nx.DiGraph:
    """Documents and their kg:implements edges (implementer -> implemented)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(citations.nodes(data=True))
    graph.add_edges_from((s, t) for s, t, key in citations.edges(keys=True) if key == IMPLEMENTS)
    return graph


def _top(values: dict[str, float], labels: dict[str, str], top: int) -> list[Ranked]:
    ranked = sorted(((-value, labels[node], node) for node, value in values.items() if value > 0))
    return [Ranked(node, label, -value) for value, label, node in ranked[:top]]


def chain_depths(graph: nx.DiGraph) -> dict[str, int]:
    """Links of the longest implementation chain beneath each document; documents in a
    cycle count as one (the cycle is reported as an error on its own)."""
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]  # document -> component
    below: dict[int, int] = {}
    # Implementers point at what they implement, so a component's chain grows from its predecessors.
    for component in nx.topological_sort(condensed):
        below[component] = max((below[p] + 1 for p in condensed.predecessors(component)), default=0)
    return {document: below[component] for document, component in members.items()}


def _evidence(store: Store, implementer: str, implemented: str) -> tuple[str, ...]:
    rows = solve(
        store,
        load("evidence"),
        {"source": NamedNode(implementer), "target": NamedNode(implemented), "relation": Literal(IMPLEMENTS)},
    ).rows
    return tuple(f"{row['location']}: {row['sentence']}" for row in rows)


def _dates_and_levels(store: Store) -> tuple[dict[str, Date], dict[str, str]]:
    """Each document's earliest date and its issuer's level, from the query `documents`."""
    dates: dict[str, Date] = {}
    levels: dict[str, str] = {}
    for row in solve(store, load("documents"), {}).rows:
        document = str(row["document"])
        if "date" in row:
            stated = Date.fromisoformat(str(row["date"]))
            dates[document] = min(stated, dates.get(document, stated))
        if "level" in row:
            levels[document] = str(row["level"])
    return dates, levels


def lags(graph: nx.DiGraph, dates: dict[str, Date], levels: dict[str, str]) -> list[Lag]:
    by_level: dict[str, list[int]] = {}
    for implementer, implemented in graph.edges():
        if implementer in dates and implemented in dates:
            days = (dates[implementer] - dates[implemented]).days
            by_level.setdefault(levels.get(implementer, "unknown"), []).append(days)
    return [
        Lag(level, len(days), statistics.median(days), min(days), max(days)) for level, days in sorted(by_level.items())
    ]


def analyze(store: Store, top: int = 10) -> Analysis:
    citations = document_graph(store)
    graph = implements_graph(citations)
    labels = {node: data.get("label", node) for node, data in citations.nodes(data=True)}
    reach = {node: len(nx.ancestors(graph, node)) for node in graph}
    cycles = [
        [Link(labels[a], labels[b], _evidence(store, a, b)) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)]
        for cycle in sorted(nx.simple_cycles(graph), key=lambda c: sorted(labels[n] for n in c))
    ]
    return Analysis(
        documents=sum(1 for _, data in citations.nodes(data=True) if data.get("kind") == "document"),
        implements_links=graph.number_of_edges(),
        reach=_top(reach, labels, top),
        depth=_top(chain_depths(graph), labels, top),
        central=_top(nx.pagerank(nx.DiGraph(citations)) if citations else {}, labels, top),
        cycles=cycles,
        lag=lags(graph, *_dates_and_levels(store)),
    )


def format_analysis(analysis: Analysis) -> str:
    lines = [f"{analysis.documents} documents, {analysis.implements_links} implements links"]
    sections = (
        ("Reach (documents implementing it, directly or not)", analysis.reach, "{:.0f}"),
        ("Chain depth (links of the longest chain beneath it)", analysis.depth, "{:.0f}"),
        ("Most central (PageRank over all relations)", analysis.central, "{:.3f}"),
    )
    for title, ranked, number in sections:
        lines += ["", f"{title}:"] + [f"  {number.format(r.value):>6}  {r.label}" for r in ranked]
        if not ranked:
            lines.append("  none")
    lines += ["", f"Cycles of implements (data errors): {len(analysis.cycles)}"]
    for cycle in analysis.cycles:
        lines.append("  " + " -> ".join([link.implementer for link in cycle] + [cycle[0].implementer]))
        for link in cycle:
            for sentence in link.sentences:
                lines.append(f"    {link.implementer} implements {link.implemented} in {sentence}")
    lines += ["", "Implementation lag in days, by level of the implementer:"]
    lines += [
        f"  {lag.level:<9} {lag.links:>4} links  median {lag.median_days:g}  min {lag.min_days}  max {lag.max_days}"
        for lag in analysis.lag
    ] or ["  no link with both dates known"]
    return "\n".join(lines)
