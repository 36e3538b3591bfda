"""Commands that serve the graph: `kg serve`."""

from __future__ import annotations

import os

import click

from kg.cli.graph import STORE_HELP, graph_errors
from kg.cli.output import query_limits


@click.command("serve")
@click.option("--store", default="kg-store", show_default=True, help=STORE_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; loopback by default.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL UPDATE at /update (the store is opened for writing); the default graph is"
    " rebuilt from the named graphs after each update.",
)
@query_limits("Rows (or triples) an answer holds at most; a cut answer has the header KG-Truncated: true.")
def serve_command(store: str, host: str, port: int, allow_update: bool, timeout: float, limit: int) -> None:
    """Serve the store: a SPARQL 1.1 endpoint at /sparql (and /update with
    --allow-update), and a page at / to run the query library and see a document's graph.

    Read-only unless --allow-update. Stop it with Ctrl-C.
    """
    from kg.builder import outdated
    from kg.cli.output import info
    from kg.queries import Limits
    from kg.serve import LOOPBACK_NAMES, create_app, is_loopback, listen, serve
    from kg.store import open_store

    loopback = is_loopback(host)
    if not loopback:
        click.echo(
            f"kg: warning: --host {host} is not a loopback address: anyone who reaches it can query the store"
            + (" and change it (--allow-update)" if allow_update else ""),
            err=True,
        )
    try:
        opened = open_store(store, read_only=not allow_update)
        stale = outdated(opened)
        if stale:
            click.echo(f"kg: warning: {stale}", err=True)
        app = create_app(
            opened,
            allow_update=allow_update,
            limits=Limits(timeout=timeout, rows=limit),
            hosts=(*LOOPBACK_NAMES, host) if loopback else None,
        )
    except graph_errors() as error:
        raise click.ClickException(str(error)) from None
    try:
        listening = listen(host, port)
    except OSError as error:  # the port in use, an address not of this machine
        opened.close()
        # The system's words alone: the socket module appends the address, which the line names.
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(
            f"--host {host} --port {port}: cannot listen there ({reason}); choose another --port or --host"
        ) from None
    shown = f"[{host}]" if ":" in host else host
    info(f"kg: serving {store} at http://{shown}:{port}/ (SPARQL endpoint: /sparql); Ctrl-C stops it")
    serve(app, listening)


COMMANDS = (serve_command,)
