"""The `kg` command: a thin shell over the Python API in `kg`.

Each module of this package holds the commands of one stage; they only parse
arguments, call the API and print.
"""

from __future__ import annotations

import click

from kg.cli import analysis, extraction, graph, query, report, serve, view
from kg.cli.output import NORMAL, QUIET, VERBOSE, Verbosity
from kg.version import __version__

EPILOG = """\b
Shell completion (click's): add to your shell's start-up file
  bash  ~/.bashrc:                  eval "$(_KG_COMPLETE=bash_source kg)"
  zsh   ~/.zshrc:                   eval "$(_KG_COMPLETE=zsh_source kg)"
  fish  ~/.config/fish/completions/kg.fish:  _KG_COMPLETE=fish_source kg | source
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--quiet",
    "-q",
    "verbosity",
    flag_value=QUIET,
    help="No progress bars or informational lines on standard error; errors and warnings only.",
)
@click.option(
    "--verbose", "-v", "verbosity", flag_value=VERBOSE, help="More on standard error, e.g. a line per text built."
)
@click.pass_context
def main(context: click.Context, verbosity: int | None) -> None:
    """Find how Vietnamese Party and State documents implement each other.

    Exit status: 0 on success; 1 when the command fails: a failed check, a
    document, query or path that is not there, a store or output that cannot be
    used; 2 on a usage error (an unknown option, a missing argument, a value of
    the wrong form) or when some input files could not be read (the others are
    still processed).
    """
    context.obj = Verbosity(NORMAL if verbosity is None else verbosity)


for module in (extraction, graph, query, view, report, analysis, serve):
    for command in module.COMMANDS:
        main.add_command(command)
