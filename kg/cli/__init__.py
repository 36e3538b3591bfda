"""The `kg` command: a thin shell over the Python API in `kg`.

Each module of this package holds the commands of one stage; they only parse
arguments, call the API and print.
"""

from __future__ import annotations

import click

from kg.cli import analysis, extraction, graph, query, view
from kg.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Find how Vietnamese Party and State documents implement each other.

    Exit status: 0 on success; 1 on a failed check or an unknown document; 2 on
    a usage error or when some input files could not be read (the others are
    still processed).
    """


for module in (extraction, graph, query, view, analysis):
    for command in module.COMMANDS:
        main.add_command(command)
