"""The planners' page ``/staff/planning``: the national suitability grid on a map (staff only).

It shows :func:`web.suitability.suitability_map` of the default planning profile (or of a
profile pasted in the form, YAML or JSON: a bad one is a 400 page naming what is wrong) at a
resolution the staff member picks (5 to 8; 7 by default, cells of about 5 km²), the ranked
candidate parcels (0.5 to 5 km², :mod:`matching.parcels`; a click on a row flies the map to
it) and the table of the coarser candidate areas. The result is computed once per dataset
version, resolution, percentile and profile, and kept (a few seconds at resolution 8, then
instant).

Register it in the application factory (``web/app.py``)::

    from web.planning import bp as planning_bp
    app.register_blueprint(planning_bp)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_login import login_required

from matching.errors import RequirementsError
from matching.requirements import parse_requirements_text
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


#: The longest profile the form takes (a requirements document is a few hundred bytes).
MAX_PROFILE_CHARS: int = 20_000


def _result(version: str, dataset, resolution: int, percentile: float,
            profile: dict[str, Any] | None = None, profile_text: str = "") -> SuitabilityResult:
    key = (version, resolution, percentile, hashlib.sha256(profile_text.encode()).hexdigest())
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = suitability(dataset, resolution=resolution, percentile=percentile,
                                      profile=profile)
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
    profile_text = request.args.get("profile", "").strip()
    if len(profile_text) > MAX_PROFILE_CHARS:
        abort(413)
    data = get_data()
    choices = {"resolutions": RESOLUTIONS, "percentiles": PERCENTILES,
               "resolution": resolution, "percentile": percentile,
               "profile_text": profile_text}
    try:
        profile = (parse_requirements_text(profile_text, source="profile")
                   if profile_text else None)
        result = _result(data.version, data.dataset, resolution, percentile, profile,
                         profile_text)
    except RequirementsError as exc:  # the profile names what is wrong: a 400 that says it
        return render_template("staff/planning.html", parts=None, result=None,
                               error=exc, **choices), 400
    parts = suitability_map(result, data.dataset, lang=str(get_locale()))
    return render_template("staff/planning.html", parts=parts, result=result.to_json(),
                           error=None, **choices)
