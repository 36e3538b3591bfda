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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.store import Store
from kg.vocab import KG, META_GRAPH, sparql_prefixes

SUMMARY = ox.NamedNode(KG + "summary")
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


@dataclass(frozen=True)
class Summary:
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


def summaries(store: Store) -> dict[str, Summary]:
    """The summary of every document that implements or is implemented, from the store's
    default graph (descriptions) and its named graphs (the sources of each link)."""
    links: dict[str, list[tuple[str, int]]] = {}
    for row in store.select(sparql_prefixes() + _LINKS):
        links.setdefault(str(row["lower"]), []).append((str(row["upper"]), int(row["sources"])))
    found = {}
    for row in store.select(sparql_prefixes() + description_query(_LINKED)):
        uri = str(row["doc"])
        found[uri] = Summary.of_row(row, tuple(sorted(links.get(uri, ()))))
    return found


def read_summaries(store: Store, uris: list[str]) -> dict[str, Summary]:
    """The summaries the last build kept of those of `uris` that have one."""
    if not uris:
        return {}
    rows = store.solutions(sparql_prefixes() + _SUMMARIES, {"doc": [ox.NamedNode(uri) for uri in uris]}).rows
    return {str(row["doc"]): Summary.parse(str(row["summary"])) for row in rows}


def summary_quads(store: Store) -> list[ox.Quad]:
    """`summaries` as quads of the meta graph, one kg:summary literal per document."""
    graph = ox.NamedNode(META_GRAPH)
    return [
        ox.Quad(ox.NamedNode(uri), SUMMARY, ox.Literal(summary.literal()), graph)
        for uri, summary in sorted(summaries(store).items())
    ]
