"""Commands that read the graph: `kg trace`."""

from __future__ import annotations

import click

from kg.cli.graph import STORE_HELP, graph_errors


def find_one(store, document: str):
    """The one document of `store` that fits `document`; when several fit, lists them and exits 1."""
    import sys

    from kg.trace import UnknownDocument, find, label

    found = find(store, document)
    if len(found) > 1:
        click.echo(f"{document!r} fits {len(found)} documents; name one of them more precisely:", err=True)
        for candidate in found:
            click.echo(f"  {label(candidate)}  <{candidate.uri}>", err=True)
        sys.exit(1)
    if not found:
        raise UnknownDocument(f"no document in {store.location} fits {document!r}")
    return found[0]


@click.command("trace")
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
    from kg.store import open_store
    from kg.trace import UnknownDocument, render, tree

    try:
        with open_store(store, read_only=True) as opened:
            click.echo(render(tree(opened, find_one(opened, document), down=down, depth=depth)))
    except (*graph_errors(), UnknownDocument) as error:
        raise click.ClickException(str(error)) from None


COMMANDS = (trace_command,)
