"""The `kg` command: a thin shell over the Python API in `kg`."""

from __future__ import annotations

import click

from kg import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Find how Vietnamese Party and State documents implement each other.

    Exit status: 0 on success, 1 on a usage error or failed check, 2 when some
    input files could not be read (the others are still processed).
    """


# ---- extraction commands ----------------------------------------------------


# ---- graph commands (build, export, check) ----------------------------------
