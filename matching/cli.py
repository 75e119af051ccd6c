"""Command-line commands of the decision: ``shortlist``, ``learn-weights``, ``allocate``, ``suitability``."""

from __future__ import annotations

import click


@click.group()
def cli() -> None:
    """Decision commands."""
