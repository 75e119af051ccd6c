"""Command-line commands of the territory: ``validate``, ``sites``, ``build-geodata``.

The commands are registered on :data:`cli`; the ``techvalley`` console script (``web.cli``)
assembles the groups of every package.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from valleys.errors import TechValleyError


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`TechValleyError` into a message on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TechValleyError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)

    return wrapper


@click.group()
def cli() -> None:
    """Territory commands."""
