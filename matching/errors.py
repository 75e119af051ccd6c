"""Errors and warnings of the decision package.

A :class:`RequirementsError` names the field of the requirement that is wrong (``criteria[1].weight``,
``ahp.matrix``...) and what to do; every problem found is listed in its ``details``, not only the
first. A :class:`RequirementsWarning` reports something that does not stop the shortlist (a preset
criterion the dataset lacks, a criterion with no variance).
"""

from __future__ import annotations

from valleys.errors import TechValleyError


class RequirementsError(TechValleyError):
    """A requirement (file, API body or form) breaks the requirements contract."""


class DecisionsError(TechValleyError):
    """Past decisions (``DECISIONS.csv``), past investors or a pipeline break their format (issue 5)."""


class RequirementsWarning(UserWarning):
    """A requirement problem that does not stop the shortlist (reported in its ``warnings``)."""


__all__ = ["DecisionsError", "RequirementsError", "RequirementsWarning"]
