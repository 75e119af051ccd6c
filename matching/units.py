"""The unit a column's name carries (the dataset contract: ``rent_mad_m2_month``, ``airports_km``).

One table, used by the shortlist's reasons and by the labels of :mod:`matching.i18n`.
"""

from __future__ import annotations

__all__ = ["NAMED_UNITS", "SUFFIX_UNITS", "unit_of"]

#: Units of columns whose name does not end in a unit suffix.
NAMED_UNITS: dict[str, str] = {
    "incentive_mad_per_job": "MAD/job",
    "incentive_mad_total": "MAD",
}
#: Unit suffixes, longest first.
SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_mad_m2_month", "MAD/m²/month"),
    ("_mad_month", "MAD/month"),
    ("_mad_year", "MAD/year"),
    ("_mad_m2", "MAD/m²"),
    ("_km", "km"),
    ("_m2", "m²"),
    ("_ha", "ha"),
    ("_pct", "%"),
    ("_mad", "MAD"),
    ("_count", ""),
    ("_month", "months"),
)


def unit_of(column: str) -> str:
    """The unit a column's name carries (empty when none).

    Examples
    --------
    >>> unit_of("rent_mad_m2_month"), unit_of("airports_km"), unit_of("catchment_labour_active")
    ('MAD/m²/month', 'km', '')
    >>> unit_of("incentive_mad_per_job")
    'MAD/job'
    """
    if column in NAMED_UNITS:
        return NAMED_UNITS[column]
    for suffix, unit in SUFFIX_UNITS:
        if column.endswith(suffix) and len(column) > len(suffix):
            return unit
    return ""
