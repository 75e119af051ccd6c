"""What every command of every package shares: the error handling and the option types.

:func:`user_errors` wraps each command of the ``techvalley`` group (assembled in ``web.cli``):
it checks the settings, prints warnings one per line and turns a user error into exit status 2.
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import click

from valleys import settings
from valleys.errors import TechValleyError


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    click.echo(f"Warning: {message}", err=True)


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses ``nan`` and ``inf`` (which ``float()`` takes)."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`TechValleyError` into a message on stderr and exit status 2.

    First every package's settings are checked (:func:`valleys.settings.check`: every bad one
    named at once). While the command runs, warnings (repaired geometries, swapped
    coordinates...) are printed at once on stderr as ``Warning: <message>``, one per line,
    without Python's source lines.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("default", UserWarning)  # each distinct warning once per run
            try:
                settings.check()
                return fn(*args, **kwargs)
            except TechValleyError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(2)

    return wrapper
