"""Commands that summarise a document's reach: `kg report`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.graph import STORE_HELP, graph_errors
from kg.cli.output import info

FORMATS = ("html", "md")


@click.command("report")
@click.argument("document")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default=None, help="File to write (stdout if omitted)."
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default=None,
    help="html: one page with charts; md: Markdown for notes. Default: md for an -o ending in .md, else html.",
)
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def report_command(document: str, output: str | None, format_: str | None, store: str) -> None:
    """A one-page coverage report of DOCUMENT ("01-KL/TW", "Kết luận 01" or an IRI).

    The provinces of its time with their implementing documents (type, issuer level,
    date, days after DOCUMENT) and the provinces with none; a timeline and the lag by
    level as charts; the sentences behind each implementation as numbered footnotes.
    """
    from kg.report import ReportError, render_html, render_markdown, report
    from kg.store import open_store

    chosen = format_ or ("md" if output and Path(output).suffix.lower() == ".md" else "html")
    try:
        with open_store(store, read_only=True) as opened:
            found = report(opened, document)
        text = render_markdown(found) if chosen == "md" else render_html(found)
        if output is None:
            click.echo(text, nl=False)
            return
        Path(output).write_text(text, encoding="utf-8")
    except (*graph_errors(), ReportError) as error:
        raise click.ClickException(str(error)) from None
    info(f"{output}: {found.headline}")


COMMANDS = (report_command,)
