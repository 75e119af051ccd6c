"""The planners' page ``/staff/planning``: the national suitability grid on a map (staff only).

It shows :func:`web.suitability.suitability_map` of the default planning profile at a
resolution the staff member picks (5 to 8; 7 by default, cells of about 5 km²) and the table of
the candidate areas. The result is computed once per dataset version, resolution and
percentile, and kept (a few seconds at resolution 8, then instant).

Register it in the application factory (``web/app.py``)::

    from web.planning import bp as planning_bp
    app.register_blueprint(planning_bp)
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import login_required

from matching.suitability import DEFAULT_PERCENTILE, SuitabilityResult, suitability
from web.data import get_data
from web.suitability import suitability_map

bp = Blueprint("planning", __name__, url_prefix="/staff")

#: Resolutions the page offers (8 takes a few seconds the first time).
RESOLUTIONS: tuple[int, ...] = (5, 6, 7, 8)
DEFAULT_RESOLUTION: int = 7
PERCENTILES: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)

_CACHE: OrderedDict[tuple, SuitabilityResult] = OrderedDict()
_CACHE_SIZE = 4
_LOCK = threading.Lock()  # one computation per key, even with many threads


def _result(version: str, dataset, resolution: int, percentile: float) -> SuitabilityResult:
    key = (version, resolution, percentile)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = suitability(dataset, resolution=resolution, percentile=percentile)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
        _CACHE.move_to_end(key)
        return _CACHE[key]


@bp.get("/planning")
@login_required
def planning():
    try:
        resolution = int(request.args.get("resolution", DEFAULT_RESOLUTION))
        percentile = float(request.args.get("percentile", DEFAULT_PERCENTILE))
    except ValueError:
        abort(400)
    if resolution not in RESOLUTIONS or percentile not in PERCENTILES:
        abort(400)
    data = get_data()
    result = _result(data.version, data.dataset, resolution, percentile)
    parts = suitability_map(result, data.dataset, lang=str(get_locale()))
    return render_template(
        "staff/planning.html", parts=parts, result=result.to_json(),
        resolutions=RESOLUTIONS, percentiles=PERCENTILES,
        resolution=resolution, percentile=percentile,
    )
