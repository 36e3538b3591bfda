"""A summary of each document of an implementation link, kept by the build in the meta graph.

Describing a document from the graph takes a lookup per property, two or three for its
type, place and level (through the labels of their concepts), and counting the texts that
state a link reads each of them. For the tree of a Politburo resolution at a million texts
(4,570 documents), that was 300 ms of lookups and 120 ms of counting on top of the 65 ms
the walk of its links takes. So the build writes, for every document that implements or is
implemented, one literal (kg:summary) with what a tree shows of it and the number of
sources (texts, or the registry) that state each of its kg:implements links, each field
ended by a tab:

    id TAB label TAB type TAB level TAB locality TAB earliest date TAB [implemented IRI TAB sources TAB]...

A field is empty where the graph says nothing; tabs and line breaks inside a value are
written as spaces. A query reads a document's fields with one lookup, splitting the
literal (queries/implementers.rq); `kg trace` also reads there what each document of a
tree implements, and how many sources say so, instead of walking and counting the links.

The build also keeps, for each implemented document, how many documents implement it
directly (kg:directImplementers) and directly or through others (kg:allImplementers, what
`?implementer kg:implements+ ?doc` binds). SPARQL finds the second by walking the closure
of every implemented document: 50.8 million pairs at a million texts, which took Oxigraph
over 300 s; `implementer_counts` counts them all in 9 s (queries/most-implemented.rq).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import networkx as nx
import pyoxigraph as ox

from kg.store import Store
from kg.vocab import KG, META_GRAPH, sparql_prefixes

SUMMARY = ox.NamedNode(KG + "summary")
DIRECT_IMPLEMENTERS = ox.NamedNode(KG + "directImplementers")
ALL_IMPLEMENTERS = ox.NamedNode(KG + "allImplementers")
SEPARATOR = "\t"
FIELDS = ("id", "label", "type", "level", "locality", "date")
_BLANKS = re.compile(r"[\t\r\n]+")  # inside a value, they would be read as separators


def description_query(documents: str = "") -> str:
    """A SELECT of what a tree shows of each document ?doc that the pattern `documents`
    binds (or a VALUES block, when it is empty): its FIELDS, each the least where the graph
    gives several. Not its classes, which would double the rows each property is looked up for."""
    return f"""SELECT ?doc (MIN(?idLocal) AS ?id) (MIN(?labelText) AS ?label) (MIN(?typeText) AS ?type)
       (MIN(?levelName) AS ?level) (MIN(?placeText) AS ?locality) (MIN(?dated) AS ?date)
WHERE {{
  {documents}
  OPTIONAL {{ ?doc eli:id_local ?idLocal }}
  OPTIONAL {{ ?doc rdfs:label ?name }}
  OPTIONAL {{ ?doc eli:type_document ?typeConcept OPTIONAL {{ ?typeConcept skos:prefLabel ?typeLabel FILTER (lang(?typeLabel) = "vi") }} }}
  OPTIONAL {{ ?doc eli:passed_by ?issuer OPTIONAL {{ ?issuer kg:level ?levelConcept OPTIONAL {{ ?levelConcept skos:notation ?levelName }} }} }}
  OPTIONAL {{ ?doc kg:locality ?placeNode OPTIONAL {{ ?placeNode rdfs:label ?place }} }}
  OPTIONAL {{ ?doc eli:date_document ?dated }}
  BIND(STR(?name) AS ?labelText)
  BIND(STR(?typeLabel) AS ?typeText)
  BIND(STR(?place) AS ?placeText)
}}
GROUP BY ?doc"""


_LINKED = (
    "{ SELECT DISTINCT ?doc WHERE { { ?doc kg:implements ?implemented } UNION { ?implementer kg:implements ?doc } } }"
)
_SUMMARIES = f"SELECT ?doc ?summary WHERE {{ GRAPH <{META_GRAPH}> {{ ?doc kg:summary ?summary }} }}"
_LINKS = """SELECT ?lower ?upper (COUNT(DISTINCT ?source) AS ?sources) WHERE {
  GRAPH ?source { ?lower kg:implements ?upper }
}
GROUP BY ?lower ?upper"""


class Summary(NamedTuple):  # quicker to make than a frozen dataclass, and a tree parses thousands
    id: str | None
    label: str | None
    type: str | None
    level: str | None
    locality: str | None
    date: str | None
    implements: tuple[tuple[str, int], ...] = ()  # (implemented document, sources stating it)

    def literal(self) -> str:
        fields = [getattr(self, name) for name in FIELDS]
        for implemented, sources in self.implements:
            fields += [implemented, str(sources)]
        return "".join(_BLANKS.sub(" ", value or "") + SEPARATOR for value in fields)

    @classmethod
    def of_row(cls, row: dict, implements: tuple[tuple[str, int], ...] = ()) -> Summary:
        """The summary of a row of `description_query`."""
        return cls(*(str(row[name]) if name in row else None for name in FIELDS), implements)

    @classmethod
    def parse(cls, literal: str) -> Summary:
        id_, label, type_, level, locality, date, *links = literal.split(SEPARATOR)
        implements = tuple(zip(links[:-1:2], map(int, links[1::2]), strict=True))
        return cls(id_ or None, label or None, type_ or None, level or None, locality or None, date or None, implements)


Links = Mapping[str, tuple[tuple[str, int], ...]]  # implementer -> ((implemented, sources stating it), ...)


def implementation_links(store: Store) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each document that implements another: what it implements, each with the number of
    sources (the store's graphs) that state it, in order."""
    links: dict[str, list[tuple[str, int]]] = {}
    for row in store.select(sparql_prefixes() + _LINKS):
        links.setdefault(str(row["lower"]), []).append((str(row["upper"]), int(row["sources"])))
    return {lower: tuple(sorted(uppers)) for lower, uppers in links.items()}


def summaries(store: Store, links: Links | None = None) -> dict[str, Summary]:
    """The summary of every document that implements or is implemented, from the store's
    default graph (descriptions) and `links` (default: `implementation_links(store)`)."""
    links = implementation_links(store) if links is None else links
    found = {}
    for row in store.select(sparql_prefixes() + description_query(_LINKED)):
        uri = str(row["doc"])
        found[uri] = Summary.of_row(row, links.get(uri, ()))
    return found


def implementer_counts(links: Links) -> dict[str, tuple[int, int]]:
    """For each implemented document, how many documents implement it directly and how many
    directly or through others: the distinct ?implementer of `?implementer kg:implements
    ?doc` and of `?implementer kg:implements+ ?doc` (the document itself where it lies on
    a cycle of links).

    The links' strongly connected components form an acyclic graph; visited from the
    implementers up, each component unites the sets of the components that implement it.
    A set is the bits of an int, numbered in a post-order from the implemented down, in
    which the components under one in a tree come just before it: a set is about as long
    as the tree under its component, and is kept as (lowest number, bits from there)."""
    graph = nx.DiGraph((lower, upper) for lower, uppers in links.items() for upper, _ in uppers)
    components = nx.condensation(graph)  # implementer -> implemented, acyclic
    component_of = components.graph["mapping"]
    sizes = {component: len(members) for component, members in components.nodes(data="members")}
    on_cycle = {c for c, size in sizes.items() if size > 1} | {component_of[d] for d in nx.nodes_with_selfloops(graph)}
    order = list(nx.dfs_postorder_nodes(components.reverse(copy=False)))
    number = {component: position for position, component in enumerate(order)}
    more_members: dict[int, int] = {}  # members beyond the first -> bits of the components that have them
    for component, size in sizes.items():
        if size > 1:
            more_members[size - 1] = more_members.get(size - 1, 0) | 1 << number[component]
    reached: dict[int, tuple[int, int]] = {}  # component -> (lowest number, bits) of those that reach it
    counts = {}
    for component in order:
        implementers = list(components.predecessors(component))
        parts = [(number[c], 1) for c in implementers] + [reached[c] for c in implementers if c in reached]
        if not parts and component not in on_cycle:
            continue
        lowest = min((start for start, _ in parts), default=0)
        bits = 0
        for start, part in parts:
            bits |= part << (start - lowest)
        if parts:
            reached[component] = (lowest, bits)
        documents = bits.bit_count() + sum(
            more * (bits & held >> lowest).bit_count() for more, held in more_members.items()
        )
        documents += sizes[component] if component in on_cycle else 0
        for document in components.nodes[component]["members"]:
            counts[document] = (graph.in_degree(document), documents)
    return counts


def read_summaries(store: Store, uris: list[str]) -> dict[str, Summary]:
    """The summaries the last build kept of those of `uris` that have one."""
    if not uris:
        return {}
    rows = store.lexical_rows(sparql_prefixes() + _SUMMARIES, {"doc": [ox.NamedNode(uri) for uri in uris]})
    return {uri: Summary.parse(summary) for uri, summary in rows}


def summary_quads(store: Store) -> list[ox.Quad]:
    """`summaries` and `implementer_counts` as quads of the meta graph: one kg:summary literal
    per document of a link, and kg:directImplementers, kg:allImplementers per implemented one."""
    graph = ox.NamedNode(META_GRAPH)
    links = implementation_links(store)
    quads = [
        ox.Quad(ox.NamedNode(uri), SUMMARY, ox.Literal(summary.literal()), graph)
        for uri, summary in sorted(summaries(store, links).items())
    ]
    for uri, (direct, every) in sorted(implementer_counts(links).items()):
        document = ox.NamedNode(uri)
        quads += [
            ox.Quad(document, DIRECT_IMPLEMENTERS, ox.Literal(direct), graph),
            ox.Quad(document, ALL_IMPLEMENTERS, ox.Literal(every), graph),
        ]
    return quads
