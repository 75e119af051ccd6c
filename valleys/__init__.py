"""valleys: the territory.

Load a dataset, validate it against the dataset contract, compute per-zone features, the
incentive classes, the national suitability grid, and rebuild the shipped Morocco dataset.
"""

from valleys.errors import DatasetError, DatasetWarning, TechValleyError

__all__ = ["DatasetError", "DatasetWarning", "TechValleyError"]
