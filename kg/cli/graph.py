"""Commands of the graph stage: `kg build`, `kg partition`, `kg load`, `kg export`, `kg check`."""

from __future__ import annotations

import click

from kg.cli.extraction import exit_if_unreadable
from kg.cli.output import progress

STORE_HELP = (
    "Store: a directory (embedded, default kg-store), `memory`, an http(s):// SPARQL endpoint,"
    " or virtuoso+http(s)://HOST:PORT/sparql-auth for Virtuoso."
)


def graph_errors():
    """Errors of the graph stage, each shown as one line naming the file or option."""
    from kg.builder import BuildError
    from kg.export import ExportError
    from kg.store import StoreError

    return (BuildError, ExportError, StoreError, OSError)


@click.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
@click.option(
    "--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1), help="Texts read in parallel processes."
)
@click.option("--prune", is_flag=True, help="Remove texts that are gone from the given folders or from disk.")
@click.option(
    "--base", default=None, help="URI base of documents (docs/identity.md); a store keeps the one it was built with."
)
@click.option(
    "--remerge",
    is_flag=True,
    help="Also rebuild the merged default graph from the named graphs (when `kg check` finds it out of step).",
)
def build_command(paths: tuple[str, ...], store: str, jobs: int, prune: bool, base: str | None, remerge: bool) -> None:
    """Build or update the graph of the texts in PATH... (files or folders).

    Unchanged texts are skipped; a changed text replaces its own statements.
    """
    from kg.builder import build

    try:
        summary = build(
            paths,
            store=store,
            jobs=jobs,
            prune=prune,
            base=base,
            remerge=remerge,
            progress=progress("Building", describe=_text_built),
        )
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    for location, message in summary.failures:
        click.echo(message if location in message else f"{location}: {message}", err=True)
    click.echo(
        f"texts: {summary.texts} (built {summary.built}, unchanged {summary.skipped}, removed {summary.removed},"
        f" failed {len(summary.failures)})\n"
        f"documents: {summary.documents}\nrelations: {summary.relations}\n"
        f"unresolved: {summary.unresolved}\nwarnings: {summary.warnings}"
    )
    exit_if_unreadable([location for location, _ in summary.failures])


def _text_built(item) -> str:
    """The --verbose line of one file of the build; kg.builder streams (location, outcome)."""
    location, outcome = item
    if isinstance(outcome, str):
        return f"{location}: not read"  # the failure's reason comes after
    return f"{location}: {'unchanged' if outcome.unchanged else 'read'}"


@click.command("partition")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--output", "-o", required=True, type=click.Path(file_okay=False), help="Folder of the partitions (part-*.nq)."
)
@click.option(
    "--files-per-partition",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files of the corpus per partition, each one Dask task and one part-NNNNN.nq file.",
)
@click.option(
    "--scheduler",
    default="processes",
    show_default=True,
    help="Dask scheduler: sync, threads, processes, or a cluster's address (tcp://host:8786).",
)
@click.option("--base", default=None, help="URI base of documents (docs/identity.md); give kg load the same.")
def partition_command(paths: tuple[str, ...], output: str, files_per_partition: int, scheduler: str, base: str | None):
    """Graph the texts in PATH... with Dask into N-Quads files.

    Each partition (part-NNNNN.nq) holds the named graphs of its texts, for kg load;
    the same texts give the same files. Needs Dask: pip install 'kg[dask]'.
    """
    from kg.partitions import partition

    try:
        summary = partition(paths, output, files_per_partition, base=base, scheduler=scheduler)
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    for location, message in summary.failures:
        click.echo(message if location in message else f"{location}: {message}", err=True)
    click.echo(f"partitions: {len(summary.partitions)} in {output}\ntexts: {summary.texts}")
    exit_if_unreadable(sorted({location for location, _ in summary.failures}))


@click.command("load")
@click.argument("parts", nargs=-1, required=True, type=click.Path())
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
@click.option("--base", default=None, help="URI base of documents the partitions were made with (kg partition --base).")
def load_command(parts: tuple[str, ...], store: str, base: str | None) -> None:
    """Load partitions written by kg partition into the store.

    PART... are part-*.nq files or folders of them. The store is then as kg build
    leaves it: texts it held are replaced; the merged default graph, the reference
    data and the statistics are kept up to date.
    """
    from kg.partitions import load

    try:
        summary = load(parts, store=store, base=base, progress=progress("Loading"))
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    statistics = summary.statistics
    click.echo(
        f"texts: {statistics['texts']} (loaded {summary.loaded}, replacing {summary.replaced})\n"
        + "\n".join(f"{name}: {statistics[name]}" for name in ("documents", "relations", "unresolved", "warnings"))
    )


@click.command("export")
@click.option(
    "--format",
    "-f",
    "format_",
    required=True,
    type=click.Choice(["ttl", "trig", "nq", "jsonld", "graphml", "csv"]),
    help="trig, nq and jsonld keep which text said what.",
)
@click.option(
    "--output", "-o", type=click.Path(), default=None, help="File to write (stdout if omitted); a folder for csv."
)
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def export_command(format_: str, output: str | None, store: str) -> None:
    """Write the graph as RDF, or its document graph as GraphML or CSV."""
    if format_ == "csv" and output is None:
        raise click.UsageError("--format csv writes nodes.csv and edges.csv: give their folder with --output")
    from kg.export import export
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as opened:
            export(opened, format_, output)
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None


@click.command("check")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def check_command(store: str) -> None:
    """Validate the graph with the SHACL shapes; list conflicts and unresolved references.

    Exits 1 when a shape is violated.
    """
    import sys

    from kg.check import check, format_report
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as opened:
            report = check(opened)
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_report(report))
    if not report.conforms:
        sys.exit(1)


COMMANDS = (build_command, partition_command, load_command, export_command, check_command)
