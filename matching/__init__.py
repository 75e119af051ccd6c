"""matching: the decision.

Requirements, MCDA methods, shortlists with exclusions and explanations, robustness,
preference learning and capacity-aware allocation.
"""

from matching.mcda import ahp_weights, normalize, topsis, weighted_sum  # noqa: F401
