"""Extraction -> quads: documents, relations and their evidence, one graph per source.

Every statement a text makes goes into the named graph of that text, which is also the
`kg:SourceText` (a prov:Entity) describing the text. A document's URI is shared by all
texts that name it (kg.identity), so facts from several texts meet on one node while
each stays in its own graph: two dates for one document are both kept, each with the
text that states it. The reference data goes into its own graph, `urn:kg:registry`.

Terms are pyoxigraph's, checked when made; a build serialises them as N-Quads for the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad

from kg.identity import Identity, agent_uri, identify, identify_entry, place_path, place_uri, split_symbol
from kg.model import Extraction, Reference
from kg.registry import ReferenceData
from kg.vocab import DCTERMS, ELI, KG, LEVEL, PROV, RDF, RDFS_NS, REGISTRY_GRAPH, XSD, vocabulary


# Bounded: the names of a text's graph, evidence and references are seen in that text
# only, and a worker of a build graphs millions of texts.
@lru_cache(maxsize=1 << 12)
def iri(value: str) -> NamedNode:
    return NamedNode(value)


LABEL = RDFS_NS + "label"
FAMILY_CLASS = {"party": KG + "PartyDocument", "state": KG + "StateDocument", "law": KG + "Law"}
XSD_DATE = iri(XSD + "date")
XSD_GYEAR = iri(XSD + "gYear")
XSD_INTEGER = iri(XSD + "integer")


def vi(text: str) -> Literal:
    return Literal(text, language="vi")


def iso_date(value: str | None) -> Literal | None:
    """An xsd:date literal, or None when the value is no calendar date."""
    try:
        return Literal(Date.fromisoformat(value).isoformat(), datatype=XSD_DATE) if value else None
    except ValueError:
        return None


def source_graph_uri(base: str, location: str) -> str:
    """Stable across edits of the text: a changed text replaces its graph."""
    return f"{base}/source/{hashlib.sha256(location.encode('utf-8')).hexdigest()[:20]}"


@dataclass(frozen=True)
class SourceMeta:
    """What the graph records about a text: where it is, what it was, and its context."""

    location: str  # absolute path or URL
    sha256: str  # of the file's bytes
    date: str | None = None
    province: str | None = None
    build_key: str = ""  # extractor version + reference data: a change rebuilds the text
    district: str | None = None
    url: str | None = None  # where the text was published, as its file says
    file: str | None = None  # the file read, when it is not the location (a JSON Lines record)
    text: str | None = None  # the text read; mention and evidence offsets index it


class _Graph:
    """Quads of one named graph, added as (subject IRI, predicate IRI, object term)."""

    def __init__(self, name: str) -> None:
        self.name = iri(name)
        self.quads: list[Quad] = []
        self._described: set[str] = set()

    def first_description(self, node: str) -> bool:
        """Whether `node` is described here for the first time: a text names the same
        issuer and place again and again, and every copy would cost the store's loader."""
        if node in self._described:
            return False
        self._described.add(node)
        return True

    def add(self, subject: str, predicate: str, obj: NamedNode | Literal | str | None) -> None:
        if obj is None:
            return
        value = iri(obj) if isinstance(obj, str) else obj
        self.quads.append(Quad(iri(subject), iri(predicate), value, self.name))


@dataclass(frozen=True)
class _Document:
    """What a text (or the registry) says about one document."""

    type_word: str | None = None
    number: str | None = None
    symbol: str | None = None
    date: str | None = None
    title: str | None = None
    issuer: str | None = None
    level: str | None = None
    province: str | None = None
    district: str | None = None


def _describe(out: _Graph, uri: str, doc: _Document, identity: Identity, base: str) -> list[str]:
    """Type, number, date, title, issuer and locality of a node; returns warnings."""
    warnings = []
    if identity.uri:
        out.add(uri, RDF + "type", ELI + "LegalResource")
        out.add(uri, RDF + "type", FAMILY_CLASS.get(identity.family))
        period_property = KG + ("term" if identity.family == "party" else "year")
        period = Literal(identity.period, datatype=None if identity.family == "party" else XSD_GYEAR)
        out.add(uri, period_property, period)
        out.add(uri, KG + "periodBasis", Literal(identity.period_basis))
    else:
        out.add(uri, RDF + "type", KG + "UnresolvedReference")
        out.add(uri, KG + "unresolvedReason", Literal(identity.unresolved))
        for candidate in identity.candidates:
            out.add(uri, KG + "candidate", candidate)
    if doc.number:
        out.add(uri, ELI + "number", Literal(doc.number))
    if identity.id_local:
        out.add(uri, ELI + "id_local", Literal(identity.id_local))
    type_code = split_symbol(doc.symbol)[0] if doc.symbol else None
    out.add(uri, ELI + "type_document", vocabulary().type_concept(doc.type_word, type_code))
    date = iso_date(doc.date)
    if doc.date and date is None:
        warnings.append(f"{identity.id_local or uri}: date {doc.date!r} is not a calendar date")
    out.add(uri, ELI + "date_document", date)
    if doc.title:
        out.add(uri, ELI + "title", vi(doc.title))
    district = doc.district if doc.level in ("district", "commune") else None
    locality = _place(out, base, doc.province, district)
    out.add(uri, KG + "locality", locality)
    # A local body is known only with its locality: "Tỉnh ủy" alone names 34 bodies.
    needed = {"central": True, "province": doc.province, "district": doc.province and district, "commune": doc.province}
    if doc.issuer and needed.get(doc.level):
        agent = agent_uri(base, doc.issuer, place_path(doc.province, district) if locality else None)
        out.add(uri, ELI + "passed_by", agent)
        if out.first_description(agent):
            out.add(agent, RDF + "type", KG + "Agent")
            out.add(agent, LABEL, vi(doc.issuer))
            out.add(agent, KG + "level", LEVEL + doc.level)
            out.add(agent, KG + "locality", locality)
    return warnings


def _place(out: _Graph, base: str, province: str | None, district: str | None) -> str | None:
    if not province:
        return None
    uri = place_uri(base, province, district)
    if out.first_description(uri):
        out.add(uri, RDF + "type", KG + "Place")
        out.add(uri, LABEL, vi(district or province))
    return uri


def _reference_doc(ref: Reference, data: ReferenceData) -> _Document:
    province = data.province_name(ref.province) if ref.province else None
    return _Document(
        ref.type, ref.number, ref.symbol, ref.date, ref.title, ref.issuer, ref.level, province, ref.district
    )


def source_quads(
    extraction: Extraction, source: SourceMeta, data: ReferenceData, base: str, version: str
) -> list[Quad]:
    """All quads of one source's named graph."""
    graph = source_graph_uri(base, source.location)
    out = _Graph(graph)
    out.add(graph, RDF + "type", KG + "SourceText")
    out.add(graph, KG + "location", Literal(source.location))
    out.add(graph, KG + "sha256", Literal(source.sha256))
    out.add(graph, KG + "buildKey", Literal(source.build_key))
    out.add(graph, KG + "extractorVersion", Literal(version))
    out.add(graph, DCTERMS + "date", iso_date(source.date))
    province = data.province_name(source.province) if source.province else None
    out.add(graph, KG + "locality", _place(out, base, province, source.district if province else None))
    out.add(graph, KG + "url", Literal(source.url) if source.url else None)
    out.add(graph, KG + "file", Literal(source.file) if source.file else None)
    out.add(graph, KG + "text", Literal(source.text) if source.text is not None else None)

    warnings = list(extraction.warnings)
    nodes: dict[str, str] = {}
    for ref in extraction.references:
        identity = identify(ref, source.date, data, base)
        uri = identity.uri or f"{graph}/reference/{quote(ref.id, safe='')}"
        nodes[ref.id] = uri
        warnings += _describe(out, uri, _reference_doc(ref, data), identity, base)
        out.add(uri, KG + "mentionedIn", graph)
        if not identity.uri:
            out.add(uri, LABEL, vi(ref.label or (ref.mentions[0].text if ref.mentions else ref.id)))
        if ref.self:
            out.add(graph, KG + "isTextOf", uri)

    properties = vocabulary().relation_properties
    for index, relation in enumerate(extraction.relations):
        subject, obj = nodes.get(relation.source), nodes.get(relation.target)
        predicate = properties.get(relation.relation)
        if subject is None or obj is None or predicate is None:
            warnings.append(
                f"relation {relation.source} {relation.relation} {relation.target}: unknown reference or relation"
            )
            continue
        if subject == obj:
            warnings.append(f"relation {relation.relation} of {subject} to itself dropped")
            continue
        out.add(subject, predicate, obj)
        evidence = f"{graph}/evidence/{index}"
        out.add(evidence, RDF + "type", KG + "Evidence")
        out.add(evidence, RDF + "subject", subject)
        out.add(evidence, RDF + "predicate", predicate)
        out.add(evidence, RDF + "object", obj)
        out.add(evidence, PROV + "wasDerivedFrom", graph)
        out.add(evidence, KG + "sentence", Literal(relation.evidence.text))
        out.add(evidence, KG + "start", Literal(str(relation.evidence.start), datatype=XSD_INTEGER))
        out.add(evidence, KG + "end", Literal(str(relation.evidence.end), datatype=XSD_INTEGER))
        out.add(evidence, KG + "cue", Literal(relation.cue))
        out.add(evidence, KG + "extractorVersion", Literal(version))

    for warning in warnings:
        out.add(graph, KG + "warning", Literal(warning))
    return out.quads


def registry_quads(data: ReferenceData, base: str) -> list[Quad]:
    """The reference data as the registry graph: central documents and places."""
    out = _Graph(REGISTRY_GRAPH)
    for entry in data.central:
        identity = identify_entry(entry, base)
        if identity.uri:
            doc = _Document(entry.type, entry.number, entry.symbol, entry.date, entry.title, entry.issuer, "central")
            _describe(out, identity.uri, doc, identity, base)
    for province in data.provinces:
        uri = _place(out, base, province.name, None)
        out.add(uri, KG + "kind", Literal(province.kind) if province.kind else None)
        for alias in province.aliases:
            out.add(uri, "http://www.w3.org/2004/02/skos/core#altLabel", vi(alias))
        out.add(uri, KG + "validFrom", iso_date(province.valid_from))
        out.add(uri, KG + "validTo", iso_date(province.valid_to))
        if province.successor:
            out.add(uri, KG + "successor", place_uri(base, data.province_name(province.successor)))
    for district in data.districts:
        province = data.province_name(district.province)
        uri = _place(out, base, province, district.name)
        out.add(uri, KG + "kind", Literal(district.kind) if district.kind else None)
        out.add(uri, DCTERMS + "isPartOf", place_uri(base, province))
        out.add(uri, KG + "validTo", iso_date(district.valid_to))
    return out.quads
