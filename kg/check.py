"""`check`: validate a store with the shipped SHACL shapes, and list what needs a human:
facts on which texts disagree (conflicts) and references that name no known document
(unresolved). Only shape violations make a graph broken; conflicts and unresolved
references are information the graph keeps on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyshacl
import rdflib
from rdflib.namespace import SH

from kg.export import union_triples
from kg.store import Store
from kg.vocab import META_GRAPH, compact, resource_text, sparql_prefixes, vocabulary

MAX_LISTED = 50  # per section of the readable report; the counts are always complete
CONFLICTING = ("eli:date_document", "eli:type_document")


@dataclass(frozen=True)
class Violation:
    focus: str  # the node, as its id_local when it has one
    path: str | None
    message: str
    value: str | None
    sources: tuple[str, ...]  # locations of the texts that state the node


@dataclass(frozen=True)
class Conflict:
    document: str
    property: str
    values: tuple[tuple[str, str], ...]  # (value, location of the text or "registry")


@dataclass(frozen=True)
class Unresolved:
    label: str
    reason: str
    source: str
    candidates: tuple[str, ...]


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations


def _data_graph(store: Store) -> rdflib.Graph:
    """The merged default graph, as rdflib's term model."""
    return rdflib.Graph().parse(data=union_triples(store), format="nt")


def _name(store: Store, node: str) -> str:
    rows = store.select(f"SELECT ?id WHERE {{ <{node}> <http://data.europa.eu/eli/ontology#id_local> ?id }} LIMIT 1")
    return f"{rows[0]['id']} <{node}>" if rows else f"<{node}>"


def _sources(store: Store, node: str) -> tuple[str, ...]:
    rows = store.select(
        sparql_prefixes()
        + f"SELECT DISTINCT ?location WHERE {{ GRAPH ?g {{ <{node}> ?p ?o }} GRAPH ?g {{ ?g kg:location ?location }} }} ORDER BY ?location"
    )
    return tuple(str(r["location"]) for r in rows)


def _violations(store: Store) -> list[Violation]:
    shapes = rdflib.Graph().parse(data=resource_text("shapes.ttl"), format="turtle")
    conforms, results, _ = pyshacl.validate(_data_graph(store), shacl_graph=shapes, inference="none")
    if conforms:
        return []
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = str(results.value(result, SH.focusNode))
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage) or "violates " + str(results.value(result, SH.sourceShape))
        violations.append(
            Violation(
                _name(store, focus),
                compact(str(path)) if path is not None else None,
                re.sub(r"<?(https?://[^\s>]+)>?", lambda m: compact(m.group(1)), str(message)),
                str(value) if value is not None else None,
                _sources(store, focus),
            )
        )
    return violations


def _unpaired(store: Store) -> list[Violation]:
    """Edges without evidence and evidence without its edge, each within one graph."""
    relations = ", ".join(f"<{p}>" for p in vocabulary().relation_properties.values())
    checks = (
        (
            "has no evidence in its text's graph",
            f"GRAPH ?g {{ ?s ?p ?o FILTER (?p IN ({relations})) "
            "FILTER NOT EXISTS { ?e a kg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } }",
        ),
        (
            "is evidence of an edge its text's graph does not state",
            "GRAPH ?g { ?e a kg:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o FILTER NOT EXISTS { ?s ?p ?o } }",
        ),
    )
    violations = []
    for problem, pattern in checks:
        rows = store.select(
            sparql_prefixes()
            + f"SELECT ?s ?p ?o ?location WHERE {{ {pattern} OPTIONAL {{ GRAPH ?g {{ ?g kg:location ?location }} }} }}"
        )
        for row in rows:
            message = f"{compact(str(row['p']))} edge to {row['o']} {problem}"
            violations.append(
                Violation(_name(store, str(row["s"])), None, message, None, (str(row.get("location", "")),))
            )
    return violations


def _out_of_step(store: Store) -> list[Violation]:
    """The default graph must hold exactly the triples of the named graphs (kg.store)."""
    missing = store.select(
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER (?g != <{META_GRAPH}>) }} }} FILTER NOT EXISTS {{ ?s ?p ?o }} }}"""
    )[0]["n"]
    orphaned = store.select(
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o
            FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{META_GRAPH}>) }} }}"""
    )[0]["n"]
    if int(missing) == 0 and int(orphaned) == 0:
        return []
    message = (
        f"is out of step with the named graphs it merges ({missing} triples missing,"
        f" {orphaned} held by no graph); `kg build --remerge` rebuilds it"
    )
    return [Violation("the default graph", None, message, None, ())]


def _conflicts(store: Store) -> list[Conflict]:
    conflicts = []
    for prop in CONFLICTING:
        rows = store.select(
            sparql_prefixes()
            + f"""SELECT ?d ?id ?v ?location WHERE {{
                {{ SELECT ?d WHERE {{ ?d {prop} ?x }} GROUP BY ?d HAVING (COUNT(DISTINCT ?x) > 1) }}
                GRAPH ?g {{ ?d {prop} ?v }}
                OPTIONAL {{ GRAPH ?g {{ ?g kg:location ?location }} }}
                OPTIONAL {{ ?d eli:id_local ?id }}
            }} ORDER BY ?d ?v ?location"""
        )
        by_document: dict[str, set[tuple[str, str]]] = {}
        names = {}
        for row in rows:
            document = str(row["d"])
            names[document] = str(row.get("id", document))
            by_document.setdefault(document, set()).add((compact(str(row["v"])), str(row.get("location", "registry"))))
        conflicts += [Conflict(names[d], prop, tuple(sorted(values))) for d, values in by_document.items()]
    return conflicts


def _unresolved(store: Store) -> list[Unresolved]:
    rows = store.select(
        sparql_prefixes()
        + """SELECT ?u ?label ?reason ?location (GROUP_CONCAT(DISTINCT STR(?candidate); SEPARATOR=" ") AS ?candidates) WHERE {
            GRAPH ?g { ?u a kg:UnresolvedReference ; kg:unresolvedReason ?reason ; rdfs:label ?label .
                       ?g kg:location ?location .
                       OPTIONAL { ?u kg:candidate ?candidate } }
        } GROUP BY ?u ?label ?reason ?location ORDER BY ?location ?label"""
    )
    return [
        Unresolved(str(r["label"]), str(r["reason"]), str(r["location"]), tuple(str(r.get("candidates", "")).split()))
        for r in rows
    ]


def check(store: Store) -> CheckReport:
    violations = sorted(
        _violations(store) + _unpaired(store) + _out_of_step(store), key=lambda v: (v.focus, v.path or "", v.message)
    )
    return CheckReport(violations, _conflicts(store), _unresolved(store))


def format_report(report: CheckReport) -> str:
    lines = []
    if report.conforms:
        lines.append("The graph conforms to the shapes.")
    else:
        lines.append(f"The graph is broken: {len(report.violations)} shape violation(s).")
        for v in report.violations[:MAX_LISTED]:
            where = f" (in {', '.join(v.sources)})" if v.sources else ""
            detail = f" {v.path}:" if v.path else ""
            value = f" [value: {v.value}]" if v.value is not None else ""
            lines.append(f"  {v.focus}{detail} {v.message}{value}{where}")
    lines.append(f"{len(report.conflicts)} conflict(s) between texts.")
    for c in report.conflicts[:MAX_LISTED]:
        stated = "; ".join(f"{value} in {location}" for value, location in c.values)
        lines.append(f"  {c.document} {c.property}: {stated}")
    lines.append(f"{len(report.unresolved)} unresolved reference(s).")
    for u in report.unresolved[:MAX_LISTED]:
        candidates = f"; candidates: {', '.join(u.candidates)}" if u.candidates else ""
        lines.append(f"  {u.label!r} in {u.source}: {u.reason}{candidates}")
    hidden = (
        max(0, len(report.violations) - MAX_LISTED)
        + max(0, len(report.conflicts) - MAX_LISTED)
        + max(0, len(report.unresolved) - MAX_LISTED)
    )
    if hidden:
        lines.append(f"({hidden} more not listed)")
    return "\n".join(lines)
