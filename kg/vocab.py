"""Namespaces and the lookup tables read from the ontology in `vocab.ttl`.

The ontology is the single place that says which property a relation name maps to and
which code in a symbol means which document type; the code here only reads it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import rdflib
from rdflib.namespace import RDFS, SKOS

from kg import lexicon

ELI = "http://data.europa.eu/eli/ontology#"
KG = "https://kg.example.org/ontology#"
LEVEL = "https://kg.example.org/ontology/level/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = {
    "eli": ELI,
    "kg": KG,
    "kglevel": LEVEL,
    "rdf": RDF,
    "rdfs": RDFS_NS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "xsd": XSD,
    "skos": str(SKOS),
}

# Graphs the store keeps beside one graph per source text. Their names do not depend on
# the URI base, so a store can be read before anyone knows which base built it.
VOCABULARY_GRAPH = "urn:kg:vocabulary"
REGISTRY_GRAPH = "urn:kg:registry"
META_GRAPH = "urn:kg:meta"


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def compact(iri: str) -> str:
    """`eli:cites` for a known namespace, the IRI otherwise."""
    for name, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def resource_text(name: str) -> str:
    return files("kg").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Vocabulary:
    relation_properties: dict[str, str]  # relation name of the extraction contract -> IRI
    types_by_code: dict[str, str]  # casefolded skos:notation -> type concept IRI
    types_by_label: dict[str, str]  # casefolded Vietnamese label -> type concept IRI
    levels: dict[str, str]  # casefolded level name or label (vi, en) -> level name
    labels: dict[str, str]  # IRI of a term (relation, level, type) -> its Vietnamese label
    digest: str  # sha256 of vocab.ttl: the store reloads the vocabulary graph when it changes

    def level(self, name: str) -> str | None:
        return self.levels.get(name.strip().casefold())

    def type_code(self, code: str) -> str | None:
        return self.types_by_code.get(code.casefold())

    def type_concept(self, type_word: str | None, code: str | None) -> str | None:
        """The type word of the sentence wins over the code (Party `QĐ` is Quyết định or
        Quy định; the word says which); the code is the fallback."""
        if type_word:
            concept = self.types_by_label.get(type_word.casefold()) or self.type_code(lexicon.type_code(type_word))
            if concept:
                return concept
        return self.type_code(code) if code else None


@cache
def vocabulary() -> Vocabulary:
    text = resource_text("vocab.ttl")
    graph = rdflib.Graph().parse(data=text, format="turtle")
    relation_name = rdflib.URIRef(KG + "relationName")
    relations = {str(name): str(prop) for prop, name in graph.subject_objects(relation_name)}
    scheme = rdflib.URIRef(KG + "DocumentTypes")
    by_code: dict[str, str] = {}
    by_label: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, scheme):
        for code in graph.objects(concept, SKOS.notation):
            by_code[str(code).casefold()] = str(concept)
        for label in graph.objects(concept, SKOS.prefLabel | SKOS.altLabel | RDFS.label):
            if label.language == "vi":
                by_label[str(label).casefold()] = str(concept)
    levels: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, rdflib.URIRef(KG + "Levels")):
        name = str(graph.value(concept, SKOS.notation))
        for label in [name, *graph.objects(concept, SKOS.prefLabel)]:
            levels[str(label).casefold()] = name
    labels = {
        str(term): str(label)
        for term, label in graph.subject_objects(SKOS.prefLabel | RDFS.label)
        if getattr(label, "language", None) == "vi"
    }
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Vocabulary(relations, by_code, by_label, levels, labels, digest)
