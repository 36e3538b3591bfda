"""Commands that answer questions about the graph: `kg query`, `kg queries`, `kg show`,
`kg stats`, `kg analyze`."""

from __future__ import annotations

import click

from kg.cli.graph import STORE_HELP, graph_errors
from kg.cli.output import info, query_limits
from kg.cli.query import find_one


def _errors():
    from kg.queries import QueryError
    from kg.trace import UnknownDocument

    return (*graph_errors(), QueryError, UnknownDocument)


def _parameters(given: tuple[str, ...]) -> dict[str, str]:
    parameters = {}
    for item in given:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE, e.g. doc=05-CT/TW", param_hint="--param")
        parameters[name] = value
    return parameters


@click.command("query")
@click.argument("query")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter of the query.")
@click.option(
    "--format", "-f", "format_", default="table", show_default=True, type=click.Choice(["table", "csv", "tsv", "json"])
)
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
@click.option(
    "--update",
    is_flag=True,
    help="QUERY is a SPARQL UPDATE: open the store for writing and run it. The default graph is then"
    " rebuilt from the named graphs: write what should stay into a named graph.",
)
@query_limits("Rows printed at most; a query that has more says so on standard error.")
def query_command(
    query: str, params: tuple[str, ...], format_: str, store: str, update: bool, timeout: float, limit: int
) -> None:
    """Run QUERY, a query of the library (`kg queries` lists them) or a .rq file.

    Queries run read-only; only --update opens the store for writing. Parameters are
    bound as RDF terms, never written into the query. csv, tsv and json are the
    SPARQL 1.1 query results formats.
    """
    from kg.builder import outdated
    from kg.queries import Limits, format_solutions, load, run, run_update
    from kg.store import open_store

    arguments = _parameters(params)
    if update and arguments:
        raise click.BadParameter("an UPDATE takes no parameters; write the values into the file", param_hint="--param")
    try:
        chosen = load(query)
        with open_store(store, read_only=not update) as opened:
            if update:
                run_update(opened, chosen)
                info(f"kg: {chosen.path} applied to {opened.location}")
                return
            solutions = run(opened, chosen, arguments, Limits(timeout=timeout, rows=limit))
            stale = outdated(opened)
    except _errors() as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_solutions(solutions, format_), nl=False)
    if stale:
        click.echo(f"kg: warning: {stale}", err=True)
    if solutions.truncated:
        click.echo(f"kg: only the first {limit} rows are shown; raise --limit (KG_QUERY_LIMIT) for more", err=True)


@click.command("queries")
def queries_command() -> None:
    """List the query library: each query's name, question and parameters."""
    from kg.queries import QueryError, library

    try:
        found = library()
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    for query in found:
        click.echo(f"{query.name}\n  {query.question}")
        for parameter in query.parameters:
            optional = ", optional" if parameter.optional else ""
            click.echo(f"  --param {parameter.name}=...  ({parameter.kind}{optional}) {parameter.help}")
        if query.example:
            click.echo(f"  e.g. {query.example}")


@click.command("show")
@click.argument("document")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def show_command(document: str, store: str) -> None:
    """Everything the graph holds about DOCUMENT: what each text states about it, its
    relations in and out, and the sentences behind them."""
    from pyoxigraph import NamedNode

    from kg.queries import load, solve
    from kg.store import open_store
    from kg.trace import label
    from kg.vocab import compact

    try:
        with open_store(store, read_only=True) as opened:
            found = find_one(opened, document)
            doc = {"doc": NamedNode(found.uri)}
            statements = solve(opened, load("statements"), doc).rows
            relations = solve(opened, load("relations"), doc).rows
            evidence = solve(opened, load("evidence"), {"source": doc["doc"]}).rows
            evidence += solve(opened, load("evidence"), {"target": doc["doc"]}).rows
    except _errors() as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{label(found)}\n<{found.uri}>\n\nStatements:")
    for row in statements:
        value = str(row.get("valueLabel") or compact(str(row["value"])))
        click.echo(f"  {compact(str(row['property'])):<20} {value}  [{row['source']}]")
    for direction, title in (("out", "Relations out"), ("in", "Relations in")):
        rows = [row for row in relations if str(row["direction"]) == direction]
        click.echo(f"\n{title}: {len(rows)}")
        for row in rows:
            arrow = "->" if direction == "out" else "<-"
            sources = int(row["sources"])
            click.echo(
                f"  {row['relation']} {arrow} {row.get('name', row['other'])}  [{sources} source{'s' * (sources > 1)}]"
            )
    click.echo(f"\nEvidence: {len(evidence)}")
    for row in evidence:
        source, target = row.get("sourceId", row["source"]), row.get("targetId", row["target"])
        click.echo(
            f"  {source} {row['relation']} {target}  ({row['cue']}; {row['location']} {row['start']}-{row['end']})"
        )
        click.echo(f"    {' '.join(str(row['sentence']).split())}")


@click.command("stats")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def stats_command(store: str) -> None:
    """Counts kept by the last build: texts, documents, relations, unresolved references,
    documents by type, level and locality, relations by name."""
    from kg.builder import read_counts, read_statistics
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as opened:
            totals, counts = read_statistics(opened), read_counts(opened)
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    if not totals:
        raise click.ClickException(f"{store} holds no build statistics; run `kg build` on it first")
    for name, value in totals.items():
        click.echo(f"{name}: {value}")
    references = totals.get("documents", 0) + totals.get("unresolved", 0)
    if references:
        click.echo(f"share unresolved: {totals.get('unresolved', 0) / references:.1%} of {references} references")
    for dimension, title in (
        ("type", "Documents by type"),
        ("level", "Documents by level of the issuer"),
        ("locality", "Documents by locality"),
        ("relation", "Relations by name"),
    ):
        rows = [(key, count) for kind, key, count in counts if kind == dimension]
        click.echo(f"\n{title}:")
        for key, count in rows or [("none", 0)]:
            click.echo(f"  {count:>6}  {key}")


@click.command("analyze")
@click.option("--format", "-f", "format_", default="text", show_default=True, type=click.Choice(["text", "json"]))
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1), help="Documents listed per ranking.")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def analyze_command(format_: str, top: int, store: str) -> None:
    """Reach, chain depth, centrality, cycles of implements (data errors, with their
    evidence) and implementation lag per level, computed with networkx."""
    import json

    from kg.analyze import analyze, format_analysis
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as opened:
            analysis = analyze(opened, top=top)
    except _errors() as error:
        raise click.ClickException(str(error)) from None
    if format_ == "json":
        click.echo(json.dumps(analysis.as_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo(format_analysis(analysis))


COMMANDS = (query_command, queries_command, show_command, stats_command, analyze_command)
