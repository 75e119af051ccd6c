"""matching: the decision.

Requirements, MCDA methods, shortlists with exclusions and explanations, robustness,
preference learning and capacity-aware allocation.
"""
