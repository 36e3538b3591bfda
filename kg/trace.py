"""Implementation trees: which documents implement a document, level by level.

`find` reads a document the way people write it ("05-CT/TW", "Chỉ thị 05",
"Kế hoạch 129-KH/TU của Tỉnh ủy Hà Tĩnh") and returns the graph's documents
that fit; `tree` follows kg:implements down (implementers) or up (what it
implements); `render` draws the tree for a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pyoxigraph import NamedNode

from kg import lexicon
from kg.extract import extract
from kg.model import Reference
from kg.resolve import province_named
from kg.store import Store
from kg.vocab import sparql_prefixes


def _literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass
class Document:
    uri: str
    name: str
    type: str | None = None
    locality: str | None = None
    level: str | None = None
    date: str | None = None
    sources: int = 0  # texts that state the link to the parent in the tree
    children: list[Document] = field(default_factory=list)
    repeated: bool = False  # already drawn higher in the tree (a cycle or a shared implementer)


class AmbiguousDocument(Exception):
    """Several documents fit what was asked; `candidates` lists them."""

    def __init__(self, asked: str, candidates: list[Document]):
        super().__init__(f"{asked!r} fits {len(candidates)} documents")
        self.candidates = candidates


class UnknownDocument(Exception):
    """No document in the graph fits what was asked."""


def _reference(asked: str) -> Reference:
    references = extract(asked).references
    numbered = [r for r in references if r.number]
    if not numbered:
        raise UnknownDocument(f"{asked!r} names no document number; write it as 05-CT/TW, Chỉ thị 05 or its IRI")
    return numbered[0]


def find(store: Store, asked: str) -> list[Document]:
    """The graph's documents that fit `asked` (as people write it, or an IRI), best described first."""
    if asked.startswith(("http://", "https://")):
        try:
            iri = NamedNode(asked)  # checked: nothing but an IRI reaches the query
        except ValueError as error:
            raise UnknownDocument(f"{asked!r}: not an IRI ({error})") from None
        known = store.select(f"SELECT ?type WHERE {{ {iri} a ?type }} LIMIT 1")
        return [describe(store, asked)] if known else []
    reference = _reference(asked)
    condition = "true"
    if reference.symbol:
        id_local = reference.canonical.split("@")[0] if reference.canonical else reference.symbol
        condition = f"?id = {_literal(id_local)}"
    elif reference.type:
        condition = f"str(?typeLabel) = {_literal(reference.type)}"
    province = reference.province or _province_in(asked)
    rows = store.select(
        sparql_prefixes()
        + f"""
        SELECT DISTINCT ?doc WHERE {{
          ?doc eli:number {_literal(reference.number)} . OPTIONAL {{ ?doc eli:id_local ?id }}
          OPTIONAL {{ ?doc eli:type_document ?type OPTIONAL {{ ?type skos:prefLabel ?typeLabel FILTER(lang(?typeLabel) = "vi") }} }}
          FILTER NOT EXISTS {{ ?doc a kg:UnresolvedReference }}
          FILTER({condition})
        }}"""
    )
    documents = list(describe_all(store, [str(row["doc"]) for row in rows]).values())
    if province:
        documents = [d for d in documents if d.locality in (None, province)] or documents
    return sorted(documents, key=lambda d: (d.date or "", d.uri))


def _province_in(asked: str) -> str | None:
    words = asked.split()
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            province = province_named(" ".join(words[start : start + size]))
            if province:
                return province
    return None


def describe(store: Store, uri: str) -> Document:
    """Name, type, locality and date of a document (the earliest date any text gives)."""
    return describe_all(store, [uri])[uri]


# What a tree draws of each document: the library query `document` without the texts that
# mention it, whose count costs a row per mention (200,000 for a Politburo directive in a
# large corpus), and without the title. Nor does it ask for the classes of documents, which
# doubled the rows every property is then looked up for (a quarter of its time at 1M texts).
_DESCRIBE = """SELECT ?doc (MIN(?idLocal) AS ?id) (MIN(?labelText) AS ?label) (MIN(?typeText) AS ?type)
       (MIN(?placeText) AS ?locality) (MIN(?levelName) AS ?level) (MIN(?dated) AS ?date)
WHERE {
  OPTIONAL { ?doc eli:id_local ?idLocal }
  OPTIONAL { ?doc rdfs:label ?name }
  OPTIONAL { ?doc eli:type_document ?typeConcept OPTIONAL { ?typeConcept skos:prefLabel ?typeLabel FILTER (lang(?typeLabel) = "vi") } }
  OPTIONAL { ?doc kg:locality ?placeNode OPTIONAL { ?placeNode rdfs:label ?place } }
  OPTIONAL { ?doc eli:passed_by ?issuer OPTIONAL { ?issuer kg:level ?levelConcept OPTIONAL { ?levelConcept skos:notation ?levelName } } }
  OPTIONAL { ?doc eli:date_document ?dated }
  BIND(STR(?name) AS ?labelText)
  BIND(STR(?typeLabel) AS ?typeText)
  BIND(STR(?place) AS ?placeText)
}
GROUP BY ?doc"""


def describe_all(store: Store, uris: list[str]) -> dict[str, Document]:
    """`describe` of many documents, in one query."""
    rows = (
        store.solutions(sparql_prefixes() + _DESCRIBE, {"doc": [NamedNode(uri) for uri in uris]}).rows if uris else []
    )
    found = {str(row["doc"]): row for row in rows}
    return {uri: _document(uri, found.get(uri, {})) for uri in uris}


def _document(uri: str, row: dict) -> Document:
    name = str(row.get("id") or row.get("label") or uri.rsplit("/", 1)[-1])
    level = str(row["level"]) if row.get("level") else level_of_symbol(str(row["id"])) if "id" in row else None
    return Document(
        uri,
        name,
        str(row["type"]) if "type" in row else None,
        str(row["locality"]) if "locality" in row else None,
        level,
        str(row["date"]) if "date" in row else None,
    )


def level_of_symbol(id_local: str) -> str | None:
    """The level an issuer code tells: "58-KH/BTGTW" is central, "49-KH/TU" provincial."""
    number, _, symbol = id_local.partition("/")
    if "-" in number:  # Party: N-TYPE/ISSUER
        issuer = symbol.split("-")[0]
    else:  # State: N[/YYYY]/TYPE-ISSUER[-UNIT]
        parts = id_local.rsplit("/", 1)[-1].split("-")
        issuer = parts[1] if len(parts) > 1 else parts[0]
    code = lexicon.issuer_code(issuer)
    return code.level if code else None


# Every link of the implementation tree under (or over) ?root, with the number of graphs
# (texts, or the registry) that state it; one query instead of one per document.
_LINKS = """SELECT ?root ?upper ?lower (COUNT(DISTINCT ?source) AS ?sources) WHERE {{
  {walk}
  GRAPH ?source {{ ?lower kg:implements ?upper }}
}}
GROUP BY ?root ?upper ?lower"""
_DOWN = "?upper kg:implements* ?root . ?lower kg:implements ?upper ."
_UP = "?root kg:implements* ?lower . ?lower kg:implements ?upper ."


def _links(store: Store, uri: str, down: bool) -> dict[str, list[tuple[str, int]]]:
    """document -> (its implementer, or what it implements, number of sources), for the whole tree."""
    query = sparql_prefixes() + _LINKS.format(walk=_DOWN if down else _UP)
    rows = store.solutions(query, {"root": NamedNode(uri)}).rows
    links: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        near, far = (row["upper"], row["lower"]) if down else (row["lower"], row["upper"])
        links.setdefault(str(near), []).append((str(far), int(row["sources"])))
    return links


def tree(store: Store, root: Document, down: bool = True, depth: int = 10) -> Document:
    """The implementation tree under (or over) `root`, each document drawn once."""
    links = _links(store, root.uri, down)
    described = describe_all(store, sorted({far for nears in links.values() for far, _ in nears}))
    seen = {root.uri}
    frontier = [(root, 0)]
    while frontier:
        document, level = frontier.pop(0)
        if level >= depth:
            continue
        children = [
            replace(described[uri], sources=sources, children=[]) for uri, sources in links.get(document.uri, [])
        ]
        # Documents met first are drawn in full, the others marked as shown above.
        children.sort(key=lambda d: (d.name, d.uri))
        for child in children:
            child.repeated = child.uri in seen
            if not child.repeated:
                seen.add(child.uri)
                frontier.append((child, level + 1))
        document.children = sorted(children, key=lambda d: (d.date or "9999", d.name, d.uri))
    return root


def label(document: Document) -> str:
    typed = document.type and not document.name.startswith(document.type)
    parts = [f"{document.type} {document.name}" if typed else document.name]
    parts.append(document.locality or ("central" if document.level == "central" else "locality unknown"))
    parts.append(document.date or "date unknown")
    text = " · ".join(parts)
    if document.sources:
        text += f"  [{document.sources} source{'s' if document.sources > 1 else ''}]"
    return text + ("  (shown above)" if document.repeated else "")


def render(root: Document) -> str:
    lines = [label(root)]

    def walk(document: Document, prefix: str) -> None:
        for index, child in enumerate(document.children):
            last = index == len(document.children) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{label(child)}")
            walk(child, prefix + ("   " if last else "│  "))

    walk(root, "")
    return "\n".join(lines)
