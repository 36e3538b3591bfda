"""The `kg` command: a thin shell over the Python API in `kg`."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from kg.version import __version__
from kg.model import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Find how Vietnamese Party and State documents implement each other.

    Exit status: 0 on success; 1 on a failed check or an unknown document; 2 on
    a usage error or when some input files could not be read (the others are
    still processed).
    """


# ---- extraction commands ----------------------------------------------------


def _iso_date(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _province(_ctx, _param, value: str | None) -> str | None:
    if value is None:
        return None
    from kg.resolve import province_named

    province = province_named(value)
    if province is None:
        raise click.BadParameter(f"{value!r} is not a province kg knows; see kg/data/provinces.csv")
    return province


def _table(extraction) -> str:
    rows = []
    for ref in extraction.references:
        name = ref.canonical or ref.label or ref.mentions[0].text
        where = f"{ref.mentions[0].start}-{ref.mentions[0].end}"
        details = " ".join(
            part for part in (ref.type or "", ref.date or "", ref.issuer or "", "(self)" if ref.self else "") if part
        )
        rows.append(("ref", ref.id, name, where, details))
    names = {ref.id: ref.canonical or ref.label or ref.mentions[0].text for ref in extraction.references}
    for rel in extraction.relations:
        rows.append(("rel", rel.relation, f"{names[rel.source]} -> {names[rel.target]}", rel.cue, ""))
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    lines = [f"# {extraction.source}"]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4] for row in rows]
    lines += [f"warning: {w}" for w in extraction.warnings]
    return "\n".join(line.rstrip() for line in lines)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--format", "output_format", type=click.Choice(["jsonl", "json", "table"]), default="jsonl", show_default=True,
    help="One JSON object per line, one JSON list, or aligned lines for people.",
)
@click.option("--province", callback=_province, help="Province of the texts, when they do not say it.")
@click.option("--date", callback=_iso_date, metavar="YYYY-MM-DD", help="Date of the texts, when they do not say it.")
def extract(files, output_format, province, date):
    """Print the document references and relations found in each FILE.

    FILE may be a folder (its .txt files are read) or - for standard input.
    Unreadable files are reported on standard error and skipped; the exit
    status is then 2.
    """
    from kg.extract import extract as run_extract
    from kg.read import ReadError, expand, read_source

    context = Context(province=province, date=date)
    failures, results = [], []
    for path in expand(files):
        try:
            source = read_source(path)
        except ReadError as error:
            click.echo(f"kg: error: {error}", err=True)
            failures.append(path)
            continue
        extraction = run_extract(source.text, context, source=source.path)
        if output_format == "jsonl":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        elif output_format == "table":
            click.echo(_table(extraction))
        else:
            results.append(extraction.to_dict())
    if output_format == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
    if failures:
        click.echo(f"kg: {len(failures)} file(s) could not be read: {', '.join(failures)}", err=True)
        sys.exit(2)


@main.command("eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--show-errors", is_flag=True, help="List every missed and false reference, relation and attribute.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def evaluate_command(gold_dir, show_errors, output_format):
    """Score extraction against GOLD_DIR (NNN_*.txt with gold/NNN_*.json)."""
    from kg.evaluate import evaluate, gold_pairs

    if not gold_pairs(gold_dir):
        raise click.BadParameter(f"{gold_dir} holds no NNN.txt with gold/NNN.json", param_hint="GOLD_DIR")
    report = evaluate(gold_dir)
    if output_format == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return
    if show_errors:
        for error in report.errors:
            click.echo(error)
        click.echo()
    click.echo(f"texts: {report.texts}")
    click.echo(f"{'':24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}")
    lines = [("references", report.references), ("incomplete references", report.incomplete)]
    lines += [(f"  {name}", score) for name, score in sorted(report.relations.items())]
    lines.append(("all relations", report.all_relations))
    for label, score in lines:
        click.echo(
            f"{label:24}{score.precision:7.3f}{score.recall:7.3f}{score.f1:7.3f}"
            f"{score.true:5d}{score.false:5d}{score.missed:5d}"
        )
    click.echo(f"locality: {_counts(report.locality, ('right', 'wrong', 'abstained'))}")
    click.echo(f"dates: {_counts(report.dates, ('right', 'wrong', 'missing'))}")


def _counts(counter, names) -> str:
    return ", ".join(f"{counter.get(name, 0)} {name}" for name in names)


# ---- graph commands (build, export, check) ----------------------------------

STORE_HELP = "Store: a directory (embedded, default kg-store), `memory`, or an http(s):// SPARQL endpoint."


def _graph_errors():
    """Errors of the graph stage, each shown as one line naming the file or option."""
    from kg.builder import BuildError
    from kg.export import ExportError
    from kg.store import StoreError

    return (BuildError, ExportError, StoreError, OSError)


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1), help="Texts read in parallel processes.")
@click.option("--prune", is_flag=True, help="Remove texts that are gone from the given folders or from disk.")
@click.option("--base", default=None, help="URI base of documents (docs/identity.md); a store keeps the one it was built with.")
def build_command(paths: tuple[str, ...], store: str, jobs: int, prune: bool, base: str | None) -> None:
    """Build or update the graph of the texts in PATH... (files or folders).

    Unchanged texts are skipped; a changed text replaces its own statements.
    """
    import sys

    from kg.builder import build

    def progress(items, length):
        return click.progressbar(items, length=length, label="Building", file=sys.stderr)

    try:
        summary = build(paths, store=store, jobs=jobs, prune=prune, base=base, progress=progress)
    except _graph_errors() as error:
        raise click.ClickException(str(error)) from None
    for location, message in summary.failures:
        click.echo(message if location in message else f"{location}: {message}", err=True)
    click.echo(
        f"texts: {summary.texts} (built {summary.built}, unchanged {summary.skipped}, removed {summary.removed},"
        f" failed {len(summary.failures)})\n"
        f"documents: {summary.documents}\nrelations: {summary.relations}\n"
        f"unresolved: {summary.unresolved}\nwarnings: {summary.warnings}"
    )
    if summary.failures:
        sys.exit(2)


@main.command("export")
@click.option("--format", "-f", "format_", required=True, type=click.Choice(["ttl", "trig", "nq", "jsonld", "graphml", "csv"]), help="trig, nq and jsonld keep which text said what.")
@click.option("--output", "-o", type=click.Path(), default=None, help="File to write (stdout if omitted); a folder for csv.")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def export_command(format_: str, output: str | None, store: str) -> None:
    """Write the graph as RDF, or its document graph as GraphML or CSV."""
    from kg.export import export
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as opened:
            export(opened, format_, output)
    except _graph_errors() as error:
        raise click.ClickException(str(error)) from None


@main.command("check")
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
    except _graph_errors() as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_report(report))
    if not report.conforms:
        sys.exit(1)


# ---- query commands ------------------------------------------------------------


@main.command("trace")
@click.argument("document")
@click.option("--down/--up", default=True, help="Implementers below (default), or what it implements above.")
@click.option("--depth", default=10, show_default=True, type=click.IntRange(min=1), help="Levels to follow.")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def trace_command(document: str, down: bool, depth: int, store: str) -> None:
    """Draw the implementation tree of DOCUMENT ("05-CT/TW", "Chỉ thị 05",
    "Kế hoạch 129-KH/TU của Tỉnh ủy Hà Tĩnh").

    Each line shows type and number, locality, date, and how many texts state
    the link. When DOCUMENT fits several documents, they are listed instead.
    """
    import sys

    from kg.store import open_store
    from kg.trace import find, render, tree, label, UnknownDocument

    try:
        with open_store(store, read_only=True) as opened:
            found = find(opened, document)
            if len(found) > 1:
                click.echo(f"{document!r} fits {len(found)} documents; name one of them more precisely:", err=True)
                for candidate in found:
                    click.echo(f"  {label(candidate)}  <{candidate.uri}>", err=True)
                sys.exit(1)
            if not found:
                raise UnknownDocument(f"no document in {store} fits {document!r}")
            click.echo(render(tree(opened, found[0], down=down, depth=depth)))
    except (*_graph_errors(), UnknownDocument) as error:
        raise click.ClickException(str(error)) from None
