"""Write rates of a SPARQL server, through kg's store: graph store POSTs of N-Triples in
batches of several sizes, and SPARQL `INSERT DATA` of the same triples.

python -m benchmarks.servers virtuoso+http://127.0.0.1:8890/sparql-auth --triples 100000

Credentials come as for any kg store (KG_STORE_USER and KG_STORE_PASSWORD). Each run
writes into a graph of its own, urn:benchmark:..., and drops it afterwards.
"""

from __future__ import annotations

import argparse
import time

import pyoxigraph as ox

from kg.store import StoreError, VirtuosoStore, open_store

POST_BATCHES = (10_000, 50_000, 100_000)
INSERT_BATCHES = (1_000, 5_000, 20_000)


def triples(count: int, graph: ox.NamedNode) -> list[ox.Quad]:
    """Triples shaped as kg's: IRIs of documents and Vietnamese literals."""
    predicate = ox.NamedNode("https://kg.example.org/ontology#label")
    return [
        ox.Quad(ox.NamedNode(f"https://kg.example.org/doc/{n}"), predicate, ox.Literal(f"Kế hoạch số {n}"), graph)
        for n in range(count)
    ]


def post_rate(location: str, count: int, batch: int) -> float:
    """Triples a second that `Store.add` writes (each named graph triple and its merged copy)."""
    graph = ox.NamedNode(f"urn:benchmark:post:{batch}")
    with open_store(location) as store:
        if isinstance(store, VirtuosoStore):
            store.triples_per_post = batch
        quads = triples(count, graph)
        started = time.perf_counter()
        store.add(quads)
        elapsed = time.perf_counter() - started
        store.drop_graphs([graph.value])
    return 2 * count / elapsed


def insert_rate(location: str, count: int, batch: int) -> float | str:
    """Triples a second through `INSERT DATA` requests of `batch` triples, or the server's refusal."""
    graph = ox.NamedNode(f"urn:benchmark:insert:{batch}")
    with open_store(location) as store:
        quads = triples(count, graph)
        started = time.perf_counter()
        try:
            for start in range(0, count, batch):
                body = ox.serialize([q.triple for q in quads[start : start + batch]], format=ox.RdfFormat.N_TRIPLES)
                store.update(f"INSERT DATA {{ GRAPH <{graph.value}> {{ {body.decode('utf-8')} }} }}")
        except StoreError as error:
            return f"refused: {str(error)[:120]}"
        finally:
            elapsed = time.perf_counter() - started
            store.update(f"DROP SILENT GRAPH <{graph.value}>")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="a store URL, as kg's --store takes it")
    parser.add_argument("--triples", type=int, default=100_000)
    arguments = parser.parse_args()
    for batch in POST_BATCHES:
        rate = post_rate(arguments.store, arguments.triples, batch)
        print(f"graph store POST, {batch} triples a request: {rate:,.0f} triples/s")
    for batch in INSERT_BATCHES:
        rate = insert_rate(arguments.store, arguments.triples, batch)
        shown = rate if isinstance(rate, str) else f"{rate:,.0f} triples/s"
        print(f"INSERT DATA, {batch} triples a request: {shown}")


if __name__ == "__main__":
    main()
