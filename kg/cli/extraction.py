"""Commands of the extraction stage: `kg extract`, `kg eval`."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from kg.model import Context


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
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4] for row in rows
    ]
    lines += [f"warning: {w}" for w in extraction.warnings]
    return "\n".join(line.rstrip() for line in lines)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "json", "table"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per line, one JSON list, or aligned lines for people.",
)
@click.option("--province", callback=_province, help="Province of the texts, when they do not say it.")
@click.option("--date", callback=_iso_date, metavar="YYYY-MM-DD", help="Date of the texts, when they do not say it.")
@click.option(
    "--jobs",
    "-j",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Files read in parallel processes; the output keeps the order of the files.",
)
def extract(files, output_format, province, date, jobs):
    """Print the document references and relations found in each FILE.

    FILE may be a .txt, .html, .pdf, .docx or .jsonl file (one text per line),
    a folder (such files in it are read) or - for standard input. Metadata of a
    file (its meta tags, front matter or a NAME.json beside it) gives the
    province and date that --province and --date do not. Unreadable files and
    records are reported on standard error and skipped; the exit status is then 2.
    """
    from functools import partial

    from kg.builder import analyze_all, read_and_extract
    from kg.read import expand

    paths = list(expand(files))
    analyze = partial(read_and_extract, context=Context(province=province, date=date))
    failures, results = [], []
    # Standard input is this process's own: it is read here, not in a worker.
    for path, analyzed in zip(paths, analyze_all(analyze, paths, 1 if "-" in paths else jobs), strict=True):
        for outcome in [analyzed] if isinstance(analyzed, str) else analyzed:
            if isinstance(outcome, str):
                click.echo(f"kg: error: {outcome}", err=True)
                if path not in failures:
                    failures.append(path)
                continue
            extraction = outcome[1]
            if output_format == "jsonl":
                click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
            elif output_format == "table":
                click.echo(_table(extraction))
            else:
                results.append(extraction.to_dict())
    if output_format == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
    exit_if_unreadable(failures)


def exit_if_unreadable(failures: list[str]) -> None:
    """End a batch that skipped files with the list of them and exit status 2."""
    if failures:
        click.echo(f"kg: {len(failures)} file(s) could not be read: {', '.join(failures)}", err=True)
        sys.exit(2)


@click.command("eval")
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


COMMANDS = (extract, evaluate_command)
