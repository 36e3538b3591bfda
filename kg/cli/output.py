"""How much `kg` says on standard error: `kg --quiet` (errors and warnings only), the
default (progress bars and informational lines too), or `kg --verbose` (also a line per
item, e.g. per text built).

Results go to standard output at every level. Colour, if any, goes through click.echo,
which strips it when the stream is not a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

QUIET, NORMAL, VERBOSE = 0, 1, 2


@dataclass(frozen=True)
class Verbosity:
    """The context object of the `kg` group (click's `obj`)."""

    level: int = NORMAL


def verbosity() -> int:
    """The level chosen on the `kg` group; NORMAL outside a `kg` command."""
    context = click.get_current_context(silent=True)
    chosen = context.find_object(Verbosity) if context else None
    return (chosen or Verbosity()).level


def info(message: str) -> None:
    """An informational line on standard error, left out with --quiet."""
    if verbosity() >= NORMAL:
        click.echo(message, err=True)


def detail(message: str) -> None:
    """A line on standard error only with --verbose."""
    if verbosity() >= VERBOSE:
        click.echo(message, err=True)


def progress(label: str, describe=str):
    """A `progress(items, length)` wrapper for kg.builder.build: a progress bar, one line
    per item (`describe(item)`) with --verbose, nothing with --quiet."""
    level = verbosity()

    @contextmanager
    def wrap(items: Iterable, length: int) -> Iterator[Iterable]:
        if level == QUIET:
            yield items
        elif level == VERBOSE:
            yield _announced(items, describe)
        else:
            with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
                yield bar

    return wrap


def _announced(items: Iterable, describe) -> Iterator:
    for item in items:
        click.echo(describe(item), err=True)
        yield item


def query_limits(limit_help: str):
    """The --timeout and --limit options of the commands that run queries, with the
    defaults of kg.queries.DEFAULT_LIMITS (written out: importing kg.queries would slow
    down `kg --help`)."""

    def decorate(command):
        command = click.option(
            "--limit",
            default=10_000,
            show_default=True,
            type=click.IntRange(min=1),
            envvar="KG_QUERY_LIMIT",
            show_envvar=True,
            help=limit_help,
        )(command)
        return click.option(
            "--timeout",
            default=60.0,
            show_default=True,
            type=click.FloatRange(min=0, min_open=True),
            envvar="KG_QUERY_TIMEOUT",
            show_envvar=True,
            help="Seconds a query may run before it is given up.",
        )(command)

    return decorate
