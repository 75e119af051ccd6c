"""The dataset the app serves: loaded with its per-zone features once, at startup.

Views read it with :func:`get_data`; templates get plain rows from :func:`zone_rows` so that a
dataset with only a ``zones`` layer, or without the shipped columns, renders everywhere.
The past investors of "Investors like you" (``TECHVALLEY_PAST_INVESTORS``) are read and checked
here too, once, so that a bad file stops the start instead of failing a page later.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas as pd
from flask import abort, current_app, g, has_request_context
from flask_babel import gettext as _
from sklearn.neighbors import BallTree

import valleys
from valleys.errors import TechValleyError
from valleys.fact_values import measured_layer

#: columns shown as the zone's identity rather than as facts
IDENTITY_COLUMNS = ("id", "name")
#: columns never shown as facts (geometry, derived coordinates)
HIDDEN_COLUMNS = ("geometry", "lon", "lat")


@dataclass(frozen=True)
class PastInvestors:
    """Past investors (requirements documents with ``chosen``), as read from their file."""

    path: str
    #: the documents as written (``name``, ``activity``, ..., ``chosen``)
    records: list[dict[str, Any]] = field(repr=False)
    #: the same, checked once at start: (parsed requirements, extra fields such as ``chosen``)
    checked: list[tuple[Any, dict[str, Any]]] = field(repr=False, default_factory=list)
    #: the file says it is a synthetic example (its header comment, or every investor's name or
    #: ``decision_id`` starts with "synthetic")
    synthetic: bool = False


_SYNTHETIC = re.compile(r"\bsynthetic\b", re.IGNORECASE)


def _says_synthetic(text: str, records: list[dict[str, Any]]) -> bool:
    """Whether a past-investors file calls itself synthetic.

    >>> _says_synthetic("# SYNTHETIC example: not real investors\\n- name: A", [{"name": "A"}])
    True
    >>> _says_synthetic("- name: A  # synthetic?", [{"name": "A"}])
    False
    >>> _says_synthetic("- name: B", [{"name": "Synthetic investor 1", "decision_id": "x"}])
    True
    """
    header = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            header.append(stripped)
        elif stripped and stripped != "---":
            break
    if _SYNTHETIC.search(" ".join(header)):
        return True
    return bool(records) and all(
        any(str(r.get(key) or "").strip().lower().startswith("synthetic") for key in ("name", "decision_id"))
        for r in records
    )


def load_past_investors(path: str | Path, *, sites: pd.DataFrame) -> PastInvestors:
    """Read and check the past investors of ``TECHVALLEY_PAST_INVESTORS``.

    Every problem of the file (missing, YAML syntax, not a list, an item without ``name`` or
    ``chosen``, a zone ``sites`` does not have, a bad requirement) is raised at once as a
    :class:`~valleys.errors.TechValleyError` naming the setting and the file.
    """
    from matching.io import read_yaml_list
    from matching.neighbours import check_past_investors

    path = Path(path)
    try:
        records = read_yaml_list(path, "past investors")
        checked = check_past_investors(records, sites=sites, source=str(path))
    except TechValleyError as exc:
        raise TechValleyError(
            f"TECHVALLEY_PAST_INVESTORS ({path}): the past investors cannot be used: {exc.message} "
            "Fix the file, or unset TECHVALLEY_PAST_INVESTORS to hide \"Investors like you\".",
            details=exc.details,
        ) from None
    text = path.read_text(encoding="utf-8-sig")
    return PastInvestors(path=str(path), records=records, checked=checked,
                         synthetic=_says_synthetic(text, records))


@dataclass
class AppData:
    """The dataset, the zones with their features, and a few things derived once."""

    dataset: Any  # valleys.dataset.Dataset
    sites: geopandas.GeoDataFrame
    version: str
    sites_geojson: str = field(repr=False, default="")
    #: the zones without geometry, for the shortlist engine (a plain frame is faster to copy)
    table: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    #: zone id -> layer -> the name of the layer's nearest feature
    nearest: dict[str, dict[str, str]] = field(repr=False, default_factory=dict)
    #: "Investors like you" (``None``: the setting is unset, the section hidden)
    past_investors: PastInvestors | None = field(repr=False, default=None)
    #: the store's inventory revision this data includes (0: no staff edit, the shipped facts)
    revision: int = 0
    #: the data without the overlay (``None``: this is it)
    base: AppData | None = field(repr=False, default=None)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.sites.columns if c != "geometry"]

    @property
    def numeric_columns(self) -> list[str]:
        return [
            c
            for c in self.columns
            if c not in HIDDEN_COLUMNS and pd.api.types.is_numeric_dtype(self.sites[c])
        ]


def load_app_data(path: str | None, *, past_investors: str | Path | None = None) -> AppData:
    """Load the dataset at ``path`` (``None``: the shipped one) and compute its zone features.

    The map layers that take seconds to simplify (communes, regions) are prepared now, so the
    first map page after a start does not wait for them. ``past_investors`` names a YAML file
    of past investors (:func:`load_past_investors`), checked against the zones.
    """
    from web import maps

    dataset = valleys.load_dataset(path)
    sites = valleys.site_features(dataset)
    maps.prepare(dataset)
    sites_geojson = sites.to_json(na="null", show_bbox=False, drop_id=False, default=str)
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    return AppData(
        dataset=dataset,
        sites=sites,
        version=str(getattr(dataset, "version", "")),
        sites_geojson=sites_geojson,
        table=table,
        nearest=nearest_names(dataset, sites),
        past_investors=load_past_investors(past_investors, sites=table) if past_investors else None,
    )


def _feature_labels(layer: geopandas.GeoDataFrame) -> list[str]:
    for column in ("name", "code", "id"):
        if column in layer.columns:
            return [str(v) if clean(v) not in (None, "") else f"#{i}" for i, v in enumerate(layer[column])]
    return [f"#{i}" for i in range(len(layer))]


def nearest_names(dataset: Any, sites: geopandas.GeoDataFrame) -> dict[str, dict[str, str]]:
    """For each zone, the name of the nearest feature of every point layer (great-circle).

    The distances themselves are the zones' ``<layer>_km`` features; this only names them.
    """
    names: dict[str, dict[str, str]] = {str(i): {} for i in sites.index}
    if "lat" not in sites.columns or "lon" not in sites.columns:
        return names
    zones = np.radians(sites[["lat", "lon"]].to_numpy(dtype=float))
    usable = ~np.isnan(zones).any(axis=1)
    for layer_name in getattr(dataset, "point_layers", []):
        # the feature the distance is measured to (an air base is no investor's airport)
        layer = measured_layer(layer_name, dataset.layers[layer_name])
        layer = layer[~layer.geometry.is_empty & layer.geometry.notna()]
        if layer.empty or not usable.any():
            continue
        points = layer.geometry.representative_point()
        tree = BallTree(np.radians(np.column_stack([points.y, points.x])), metric="haversine")
        _, index = tree.query(zones[usable], k=1)
        labels = _feature_labels(layer)
        for zone_id, i in zip(sites.index[usable], index[:, 0], strict=True):
            names[str(zone_id)][layer_name] = labels[i]
    return names



def with_overlay(base: AppData, table: pd.DataFrame, revision: int) -> AppData:
    """``base`` with the inventory overlay ``table`` applied (:func:`valleys.overlay.overlay_sites`:
    a moved or new zone gets its features recomputed); the version covers the overlay."""
    from valleys.overlay import overlay_sites

    dataset, sites = overlay_sites(base.sites, base.dataset, table, name="the store's inventory")
    table_frame = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    return AppData(
        dataset=dataset,
        sites=sites,
        version=str(sites.attrs.get("version", dataset.version)),
        sites_geojson=sites.to_json(na="null", show_bbox=False, drop_id=False, default=str),
        table=table_frame,
        nearest=nearest_names(dataset, sites),
        past_investors=base.past_investors,
        revision=revision,
        base=base,
    )


_REFRESH_LOCK = threading.Lock()


def refresh(app: Any) -> AppData:
    """The app's data, reloaded with the store's overlay when its revision moved on.

    One query (the revision counter) when nothing changed: every worker process sees an edit
    on its next request.
    """
    from web import inventory_store

    data: AppData = app.extensions["techvalley_data"]
    revision = inventory_store.revision()
    if revision == data.revision:
        return data
    with _REFRESH_LOCK:
        data = app.extensions["techvalley_data"]
        if revision == data.revision:
            return data
        base = data.base or data
        try:
            table, revision = inventory_store.overlay_table()
            fresh = with_overlay(base, table, revision) if len(table) else base
        except TechValleyError:  # an edit the dataset no longer takes: serve the last good data
            app.logger.exception("the store's inventory overlay cannot be applied")
            return data
        app.extensions["techvalley_data"] = fresh
        return fresh


def get_data() -> AppData:
    """The :class:`AppData` of the current app, with the store's inventory overlay (checked
    once per request: :func:`refresh`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if has_request_context() and not g.get("techvalley_data_checked"):
        g.techvalley_data_checked = True
        return refresh(app)
    return app.extensions["techvalley_data"]


def clean(value: Any) -> Any:
    """A value ready for a template or JSON: ``None`` for NaN/NA, numpy scalars as Python.

    >>> clean(float("nan")) is None, clean(3), clean("a")
    (True, 3, 'a')
    """
    if value is None:
        return None
    if isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(value, bool):
        if isinstance(value, numbers.Integral):
            return int(value)
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def zone_or_404(site_id: str) -> pd.Series:
    """The row of zone ``site_id``, or a 404."""
    sites = get_data().sites
    if site_id not in sites.index:
        abort(404, description=_("no zone with id %(id)s in this dataset", id=repr(site_id)))
    return sites.loc[site_id]


def zone_rows(row: pd.Series) -> dict[str, list[tuple[str, Any]]]:
    """Split a zone's values into ``facts``, ``distances`` (``*_km`` features) and ``catchment``.

    Empty values are left out; ``source`` stays among the facts.
    """
    facts, distances, catchment = [], [], []
    for column, value in row.items():
        column = str(column)
        if column in HIDDEN_COLUMNS or column in IDENTITY_COLUMNS:
            continue
        value = clean(value)
        if value is None or value == "":
            continue
        if column.startswith("catchment_"):
            catchment.append((column, value))
        elif column.endswith("_km"):
            distances.append((column, value))
        else:
            facts.append((column, value))
    return {"facts": facts, "distances": distances, "catchment": catchment}


def zone_label(row: pd.Series) -> str:
    """The zone's name, or its id when it has none."""
    name = clean(row.get("name"))
    return str(name) if name not in (None, "") else str(row.name)
