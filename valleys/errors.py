"""The project's error types.

Every error a user can cause (a bad file, layer, requirement, form field or API body) is raised
as a :class:`TechValleyError`, a :class:`ValueError` whose message names what is wrong and where,
so that the command line can print it without a traceback and the web app can answer 422.
"""

from __future__ import annotations


class TechValleyError(ValueError):
    """Base class of every user-facing error in techvalley.

    Parameters
    ----------
    message
        One paragraph that names what is wrong and where, and what to do about it.
    details
        Optional list of further problems (one line each), e.g. every invalid row.
    """

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:  # the message, then one detail per line
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class DatasetError(TechValleyError):
    """A dataset (file, folder, layer, column or row) breaks the dataset contract."""


class DatasetWarning(UserWarning):
    """A dataset problem that does not stop its use (e.g. a repaired geometry)."""
