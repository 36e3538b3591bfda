"""The version of kg, also recorded in every graph it builds."""

__version__ = "0.1.0"
