"""Commands that draw the graph: `kg viz`."""

from __future__ import annotations

import click

from kg.cli.graph import STORE_HELP, graph_errors
from kg.cli.query import find_one
from kg.model import RELATIONS

# Measured: a 2,000-node page is interactive within 5 s in headless Chromium (docs/benchmarks.md).
DEFAULT_LIMIT = 2500


def _period_end(context, parameter, value: str | None) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as a day: the first of that period for --since, the last for --until."""
    import calendar
    import datetime as dt
    import re

    if value is None:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    try:
        if not match:
            raise ValueError
        year, month, day = (int(part) if part else None for part in match.groups())
        if parameter.name == "until":
            month = month or 12
            day = day or calendar.monthrange(year, month)[1]
        return dt.date(year, month or 1, day or 1).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD") from None


@click.command("viz")
@click.argument("document", required=False)
@click.option(
    "--depth", default=10, show_default=True, type=click.IntRange(min=1), help="Levels to follow from DOCUMENT."
)
@click.option("--up", "direction", flag_value="up", help="What DOCUMENT implements or cites, and so on up.")
@click.option("--down", "direction", flag_value="down", help="What implements DOCUMENT, and so on down.")
@click.option("--both", "direction", flag_value="both", default=True, help="Both chains (default).")
@click.option("--province", multiple=True, help="Only documents of this province (repeatable).")
@click.option("--type", "types", multiple=True, help='Only documents of this type, e.g. "Kế hoạch" (repeatable).')
@click.option(
    "--relation",
    "relations",
    multiple=True,
    type=click.Choice(RELATIONS),
    help="Only this relation (repeatable).",
)
@click.option("--since", callback=_period_end, help="Only documents dated from then on (YYYY[-MM[-DD]]).")
@click.option("--until", callback=_period_end, help="Only documents dated until then (YYYY[-MM[-DD]]).")
@click.option("--aggregate", is_flag=True, help="Collapse local documents into one node per province, level and type.")
@click.option(
    "--limit",
    default=DEFAULT_LIMIT,
    show_default=True,
    type=click.IntRange(min=1),
    help="Documents drawn one by one; above it, local ones are collapsed by province.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default="kg-graph.html", show_default=True, help="Page to write."
)
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
def viz_command(
    document: str | None,
    depth: int,
    direction: str,
    province: tuple[str, ...],
    types: tuple[str, ...],
    relations: tuple[str, ...],
    since: str | None,
    until: str | None,
    aggregate: bool,
    limit: int,
    output: str,
    store: str,
) -> None:
    """Write an interactive page of the graph, or of DOCUMENT's chain, that works offline.

    One HTML file with everything inline: documents placed by level (central on top),
    coloured by issuer level, shaped by type, sized by their implementers; relations
    with the sentences that state them on hover; search, filters and a force layout.
    """
    from kg.store import open_store
    from kg.trace import UnknownDocument, label
    from kg.viz import Selection, VizError, make_view, neighbourhood, view_graph, write

    try:
        with open_store(store, read_only=True) as opened:
            root = find_one(opened, document) if document else None
            # A focused page reads the documents its chain reaches, not the whole graph.
            around = neighbourhood(opened, root.uri, direction, relations, depth) if root else None
            graph = view_graph(opened, around)
        selection = Selection(
            root=root.uri if root else None,
            depth=depth,
            direction=direction,
            provinces=province,
            types=types,
            relations=relations,
            since=since,
            until=until,
        )
        title = f"kg · {label(root)}" if root else "kg · document graph"
        view = make_view(graph, selection, title, limit=limit, collapse=aggregate)
        write(view, output)
    except (*graph_errors(), UnknownDocument, VizError) as error:
        raise click.ClickException(str(error)) from None
    for notice in view.notices:
        click.echo(notice, err=True)
    click.echo(f"{output}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges")


COMMANDS = (viz_command,)
