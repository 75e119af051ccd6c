"""matching: the decision.

Requirements, MCDA methods, shortlists with exclusions and explanations, robustness,
preference learning and capacity-aware allocation.
"""

from matching.mcda import ahp_weights, normalize, topsis, weighted_sum  # noqa: F401

# The shortlist engine pulls pandas, pydantic, scipy (and valleys, for the error base class):
# imported on first use, so that the numeric core stays light to import.
_LAZY = {
    "RequirementsError": "matching.errors",
    "RequirementsWarning": "matching.errors",
    "make_shortlist": "matching.shortlist",
    "Requirements": "matching.requirements",
    "parse_requirements": "matching.requirements",
    "parse_requirements_text": "matching.requirements",
    "rank_acceptability": "matching.robustness",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
