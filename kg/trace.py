"""Implementation trees: which documents implement a document, level by level.

`find` reads a document the way people write it ("05-CT/TW", "Chỉ thị 05",
"Kế hoạch 129-KH/TU của Tỉnh ủy Hà Tĩnh") and returns the graph's documents
that fit; `tree` follows kg:implements down (implementers) or up (what it
implements); `render` draws the tree for a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kg import lexicon
from kg.extract import extract
from kg.model import Reference
from kg.resolve import province_named
from kg.store import Store
from kg.summary import Summary, description_query, read_summaries
from kg.vocab import META_GRAPH, sparql_prefixes


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

    def linked(self, sources: int) -> Document:
        """The document as a child in a tree, by a link that `sources` state (dataclasses'
        `replace` took a third of the time a tree of 4,570 documents spends in Python)."""
        return Document(self.uri, self.name, self.type, self.locality, self.level, self.date, sources)


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


def describe_all(store: Store, uris: list[str]) -> dict[str, Document]:
    """`describe` of many documents: from their summaries (kg.summary), and in one query
    of the graph for those without one."""
    return _described(store, uris, read_summaries(store, uris))


def _described(store: Store, uris: list[str], summaries: dict[str, Summary]) -> dict[str, Document]:
    """`describe_all`, given the summaries already read (those of `uris` that have one)."""
    described = {uri: _summarized(uri, summaries[uri]) for uri in uris if uri in summaries}
    missing = [uri for uri in uris if uri not in described]
    rows = (
        store.solutions(sparql_prefixes() + description_query(), {"doc": [NamedNode(uri) for uri in missing]}).rows
        if missing
        else []
    )
    found = {str(row["doc"]): row for row in rows}
    described.update({uri: _summarized(uri, Summary.of_row(found.get(uri, {}))) for uri in missing})
    return {uri: described[uri] for uri in uris}


def _summarized(uri: str, summary: Summary) -> Document:
    name = summary.id or summary.label or uri.rsplit("/", 1)[-1]
    level = summary.level or (level_of_symbol(summary.id) if summary.id else None)
    return Document(uri, name, summary.type, summary.locality, level, summary.date)


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


# The documents of the implementation tree under (or over) ?root, each with its summary,
# which lists the documents it implements: a lookup per document, where walking the links
# themselves takes a second (and counting their sources one per source).
_REACHED = f"""SELECT ?root ?doc ?summary WHERE {{{{
  {{walk}}
  OPTIONAL {{{{ GRAPH <{META_GRAPH}> {{{{ ?doc kg:summary ?summary }}}} }}}}
}}}}"""
_BELOW = "?doc kg:implements+ ?root ."
_ABOVE = "?root kg:implements+ ?doc ."
# The links of the tree in a store without summaries, each with the number of graphs
# (texts, or the registry) that state it.
_COUNTED = """SELECT ?root ?upper ?lower (COUNT(DISTINCT ?source) AS ?sources) WHERE {{
  {walk}
  GRAPH ?source {{ ?lower kg:implements ?upper }}
}}
GROUP BY ?root ?upper ?lower"""
_DOWN = "?upper kg:implements* ?root . ?lower kg:implements ?upper ."
_UP = "?root kg:implements* ?lower . ?lower kg:implements ?upper ."

TreeLinks = dict[str, list[tuple[str, int]]]  # document -> (its implementer, or what it implements, sources)


def _links(store: Store, uri: str, down: bool) -> tuple[TreeLinks, dict[str, Summary]]:
    """The links of the whole tree, and the summaries of its documents that have one."""
    root = {"root": NamedNode(uri)}
    rows = store.lexical_rows(sparql_prefixes() + _REACHED.format(walk=_BELOW if down else _ABOVE), root)
    summaries = {doc: Summary.parse(summary) for _, doc, summary in rows if summary is not None}
    summaries.update(read_summaries(store, [uri]))
    links: TreeLinks = {}
    if uri in summaries and all(summary is not None for *_, summary in rows):
        # A link of the tree is one whose two documents are in it: below DOC, a document
        # that implements one of them is in it too; above, what one of them implements.
        for lower, summary in summaries.items():
            for upper, sources in summary.implements:
                if upper in summaries:
                    near, far = (upper, lower) if down else (lower, upper)
                    links.setdefault(near, []).append((far, sources))
        return links, summaries
    walk = _DOWN if down else _UP
    for _, upper, lower, sources in store.lexical_rows(sparql_prefixes() + _COUNTED.format(walk=walk), root):
        near, far = (upper, lower) if down else (lower, upper)
        links.setdefault(near, []).append((far, int(sources)))
    return links, summaries


def tree(store: Store, root: Document, down: bool = True, depth: int = 10) -> Document:
    """The implementation tree under (or over) `root`, each document drawn once."""
    links, summaries = _links(store, root.uri, down)
    described = _described(store, sorted({uri for nears in links.values() for uri, _ in nears}), summaries)
    seen = {root.uri}
    frontier = [(root, 0)]
    while frontier:
        document, level = frontier.pop(0)
        if level >= depth:
            continue
        children = [described[uri].linked(sources) for uri, sources in links.get(document.uri, [])]
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
