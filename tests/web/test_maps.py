"""The Folium map builders (the package web/maps/), tested without a browser: we parse what they embed."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import valleys
from web import maps

HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }} {% if 1 %}jinja{% endif %}",
    'O\'Brien & "Sons" \u2028',
]


# ----------------------------------------------------------------------------- parsing helpers


def _json_at(text: str, start: int):
    return json.JSONDecoder().raw_decode(text, start)


def layer_data(parts: maps.MapParts) -> dict[str, tuple[dict, dict]]:
    """Every data layer of a map: variable name -> (data, options), decoded from the script."""
    out = {}
    for match in re.finditer(r"var (\w+) = techvalley\.geoJson\(", parts.script):
        data, end = _json_at(parts.script, match.end())
        assert parts.script[end : end + 2] == ", "
        options, _ = _json_at(parts.script, end + 2)
        out[match.group(1)] = (data, options)
    return out


def init_call(parts: maps.MapParts) -> tuple[dict, dict[str, str]]:
    """(config, layer key -> variable name) of the map's techvalley.init call."""
    match = re.search(r"techvalley\.init\((\w+), ", parts.script)
    assert match, "no techvalley.init call"
    config, end = _json_at(parts.script, match.end())
    rest = parts.script[end:]
    layers = dict(re.findall(r'"(\w+)": (\w+)', rest[: rest.index("}")]))
    return config, layers


def layers_by_key(parts: maps.MapParts) -> dict[str, tuple[dict, dict]]:
    data = layer_data(parts)
    _, names = init_call(parts)
    return {key: data[var] for key, var in names.items() if var in data}


def unpack(data: dict) -> dict:
    """Python twin of techvalley.unpack (the packed polygons back to GeoJSON)."""
    if not data.get("packed"):
        return data
    scale = data["scale"]

    def ring(flat):
        xy = np.cumsum(np.asarray(flat, dtype=float).reshape(-1, 2), axis=0) / scale
        return xy.tolist()

    features = []
    for props, polygons in data["features"]:
        coords = [[ring(r) for r in rings] for rings in polygons]
        geometry = (
            {"type": "Polygon", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "MultiPolygon", "coordinates": coords}
        )
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(markup: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(markup)
    return parser.tags


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tiny():
    from pathlib import Path

    path = Path(__file__).parents[1] / "fixtures" / "tiny"
    dataset = valleys.load_dataset(path)
    return dataset, valleys.site_features(dataset)


def _dataset(**layers) -> SimpleNamespace:
    """A Dataset look-alike built in the test (same attributes as valleys.dataset.Dataset)."""
    point_layers = {k: v for k, v in layers.items() if k not in ("zones", "communes", "regions")}
    return SimpleNamespace(
        layers=layers,
        zones=layers["zones"],
        communes=layers.get("communes"),
        regions=layers.get("regions"),
        point_layers=point_layers,
    )


def _sites(zones: gpd.GeoDataFrame, **columns) -> gpd.GeoDataFrame:
    sites = zones.set_index(zones["id"].astype(str), drop=False)
    sites.index.name = None
    points = sites.geometry.representative_point()
    sites["lon"], sites["lat"] = points.x, points.y
    for name, values in columns.items():
        sites[name] = values
    return sites


@pytest.fixture
def hostile():
    """Zones, communes, regions and a point layer whose every text is hostile."""
    zones = gpd.GeoDataFrame(
        {
            "id": ["z1", "z2", "z3", "z4"],
            "name": HOSTILE_NAMES,
            "status": ["operating", "<b>planned</b>", None, "uncertain"],
            "city": ["</script>", "Fès", "a&b", "x"],
            "operator": ["<script>alert(3)</script>", None, None, None],
            "rent_mad_m2_month": [95.0, None, 120.0, 80.0],
        },
        geometry=[
            shapely.Point(-7.6, 33.5),
            shapely.Point(-5.0, 34.0),
            shapely.Point(-6.8, 34.0),
            shapely.Point(-8.0, 31.6),
        ],
        crs=4326,
    )
    communes = gpd.GeoDataFrame(
        {
            "name": ["<img src=y onerror=alert(4)>", "B"],
            "labour_active": [1000, 2500],
            "french_literate": [300, 900],
            "population_10_plus": [1000, 2000],
        },
        geometry=[shapely.box(-8, 33, -7, 34), shapely.box(-7, 33, -6, 34)],
        crs=4326,
    )
    regions = gpd.GeoDataFrame(
        {"name": ["</script><script>alert(5)</script>"]},
        geometry=[shapely.box(-9, 31, -4, 35)],
        crs=4326,
    )
    airports = gpd.GeoDataFrame(
        {"name": ["<svg onload=alert(6)>", "FEZ"]},
        geometry=[shapely.Point(-7.58, 33.37), shapely.Point(-4.98, 33.93)],
        crs=4326,
    )
    dataset = _dataset(
        zones=zones,
        communes=communes,
        regions=regions,
        airports=airports,
        **{"<script>layer</script>": airports.iloc[:1]},
    )
    return dataset, _sites(zones, airports_km=[14.2, 8.0, None, 250.0])


def _all_text(parts: maps.MapParts) -> str:
    return parts.header + parts.html + parts.script


# ----------------------------------------------------------------------------- public map


def test_public_map_parts_and_local_assets_only(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset)
    assert isinstance(parts, maps.MapParts)
    assert "<iframe" not in _all_text(parts)
    links = [
        a.get("src") or a.get("href") for t, a in tags(parts.header) if t in ("script", "link")
    ]
    assert links and all(link.startswith("/assets/") for link in links), links
    assert any("leaflet.js" in link for link in links)
    assert "cdn" not in parts.header.lower() and "http" not in parts.header
    # the only remote URL of the script is the optional tile server
    remote = set(re.findall(r"https?://[^\"'\s\\]+", parts.script))
    assert remote <= {
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "https://www.openstreetmap.org/copyright",
    }, remote
    # folium's own CDN lists are untouched (we set ours per map)
    assert folium.Map.default_js[0][1].startswith("https://")
    div = [a for t, a in tags(parts.html) if t == "div"]
    assert len(div) == 1 and div[0]["data-map-kind"] == "public" and div[0]["id"].startswith("map_")
    assert f"#{div[0]['id']}" in parts.header


def test_public_map_layers_named_for_the_browser(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset)
    config, names = init_call(parts)
    assert config["kind"] == "public"
    assert set(names) == {
        "tiles",
        "offline",
        "regions",
        "communes",
        "airports",
        "rail_stations",
        "zones",
    }
    assert config["search"] is True and config["fullscreen"] is True
    assert "L.control.scale()" in parts.script
    control = config["layerControl"]
    assert [e["key"] for e in control["base"]] == ["tiles", "offline"]
    assert {e["key"] for e in control["overlays"]} == {
        "regions",
        "communes",
        "airports",
        "rail_stations",
        "zones",
    }
    # zones bounded by the map, offline base not shown until the tiles fail
    assert f"{names['tiles']}.addTo(" in parts.script
    assert f"{names['offline']}.addTo(" not in parts.script


def test_public_map_zones_by_status_with_popups(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset, site_url=lambda sid: f"/zones/{sid}?x=1&y=2")
    data, options = layers_by_key(parts)["zones"]
    assert options["kind"] == "zones"
    features = {f["properties"]["id"]: f for f in data["features"]}
    assert set(features) == set(sites.index)
    for sid, feature in features.items():
        props = feature["properties"]
        assert props["color"] == maps.STATUS_COLORS[sites.loc[sid, "status"]]
        assert feature["geometry"]["coordinates"] == pytest.approx(
            [sites.loc[sid, "lon"], sites.loc[sid, "lat"]], abs=1e-5
        )
        assert f'href="/zones/{sid}?x=1&amp;y=2"' in props["popup"]
        assert props["name"] == sites.loc[sid, "name"]
        assert props["tooltip"].startswith(sites.loc[sid, "name"] + " · ")
    popup = features["technopolis"]["properties"]["popup"]
    assert "Technopolis Rabat-Shore" in popup and "Operating" in popup
    assert f"{sites.loc['technopolis', 'airports_km']:.1f} km" in popup
    labour = sites.loc["technopolis", "catchment_labour_active"]
    assert f"{labour:,.0f}" in popup
    # the zone with no rent has no rent row, never a zero
    no_rent = sites.index[sites["rent_mad_m2_month"].isna()][0]
    assert "Rent" not in features[no_rent]["properties"]["popup"]
    config, _ = init_call(parts)
    legend = {s["key"]: s for s in config["legend"]}
    assert [i["label"] for i in legend["status"]["items"]] == ["Operating", "Under development"]


def test_public_map_one_commune_layer_with_every_indicator(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset)
    assert parts.script.count('"kind":"communes"') == 1
    data, _ = layers_by_key(parts)["communes"]
    assert data["packed"] == 1
    collection = unpack(data)
    communes = dataset.communes
    assert len(collection["features"]) == len(communes)
    config, _ = init_call(parts)
    keys = [i["key"] for i in config["indicators"]]
    assert keys == [
        "labour_active",
        "french_literate_pct",
        "english_literate_pct",
        "higher_education_pct",
    ]
    for feature, (_, row) in zip(collection["features"], communes.iterrows(), strict=True):
        values = feature["properties"]["v"]
        assert feature["properties"]["n"] == row["name"]
        assert values[0] == row["labour_active"]
        assert values[1] == pytest.approx(row["french_literate_pct"], abs=0.05)
        # the drawn commune is its polygon, simplified and rounded
        drawn = shapely.geometry.shape(feature["geometry"])
        assert drawn.symmetric_difference(row.geometry).area < 0.05 * row.geometry.area
    for ind in config["indicators"]:
        assert len(ind["colors"]) == len(ind["breaks"]) + 1
        assert ind["breaks"] == sorted(set(ind["breaks"]))
        assert ind["min"] <= min(ind["breaks"], default=ind["min"])
    labels = {i["key"]: i["label"] for i in config["indicators"]}
    assert labels["french_literate_pct"] == "French literacy"


def test_indicator_computed_from_counts_when_share_missing(hostile):
    dataset, sites = hostile
    parts = maps.public_map(sites, dataset)
    config, _ = init_call(parts)
    assert [i["key"] for i in config["indicators"]] == ["labour_active", "french_literate_pct"]
    values = [f["properties"]["v"] for f in unpack(layers_by_key(parts)["communes"][0])["features"]]
    assert values == [[1000, 30.0], [2500, 45.0]]


def test_regions_drawn_as_land_offline(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset, tiles=None)
    config, names = init_call(parts)
    assert "tiles" not in names and "tile.openstreetmap" not in parts.script
    assert f"{names['offline']}.addTo(" in parts.script  # offline base shown from the start
    regions = unpack(layers_by_key(parts)["regions"][0])
    assert len(regions["features"]) == len(dataset.regions)


def test_public_map_coordinates_rounded(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset)
    for key, (data, _) in layers_by_key(parts).items():
        if data.get("packed"):
            assert data["scale"] <= 10**5
            continue
        for feature in data["features"]:
            for value in np.ravel(feature["geometry"]["coordinates"]):
                assert round(value, 5) == value, (key, value)


def test_fresh_map_per_call(tiny):
    dataset, sites = tiny
    first, second = maps.public_map(sites, dataset), maps.public_map(sites, dataset)
    assert init_call(first)[0]["id"] != init_call(second)[0]["id"]
    assert first.script.count("L.map(") == second.script.count("L.map(") == 1


def test_french_labels_and_numbers(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset, lang="fr")
    config, _ = init_call(parts)
    assert config["locale"] == "fr"
    assert {i["label"] for i in config["indicators"]} >= {"Lecture du français"}
    popup = {
        f["properties"]["id"]: f["properties"]["popup"]
        for f in layers_by_key(parts)["zones"][0]["features"]
    }["technopolis"]
    assert "En activité" in popup and "Fiche de la zone" in popup
    km = sites.loc["technopolis", "airports_km"]
    assert f"{km:.1f}".replace(".", ",") + " km" in popup


# ----------------------------------------------------------------------------- escaping


def test_hostile_text_never_raw_in_the_page(hostile):
    dataset, sites = hostile
    shortlist = {
        "ranked": [
            {"id": "z1", "name": HOSTILE_NAMES[0], "rank": 1, "score": 0.9},
            {"id": "z2", "name": HOSTILE_NAMES[1], "rank": 2, "score": 0.4},
        ],
        "excluded": [
            {
                "id": "z3",
                "name": HOSTILE_NAMES[2],
                "reasons": ["rent_mad_m2_month <script>alert(7)</script>"],
            }
        ],
    }
    for parts, names in (
        (maps.public_map(sites, dataset), HOSTILE_NAMES),
        (maps.site_map(sites, dataset, "z2"), [HOSTILE_NAMES[1]]),
        (maps.site_map(sites, dataset, "z3"), [HOSTILE_NAMES[2]]),
        (maps.score_map(shortlist, sites, dataset), HOSTILE_NAMES[:3]),
    ):
        page = parts.page()
        for raw in ("<img", "<svg", "<b>", "alert(1)</script>", "</script><script>"):
            assert raw not in page, raw
        # one </script> per script tag: nothing of the data closes one
        assert page.count("</script>") == page.count("<script")
        if HOSTILE_NAMES[2] in names:  # never evaluated as a template on the server
            assert "{{ 7*7 }} {% if 1 %}jinja{% endif %}" in page
        assert "\u2028" not in parts.script
        zones = layers_by_key(parts)["zones"][0]["features"]
        for feature in zones:
            props = feature["properties"]
            # decoded JSON gives the raw name back, and the HTML the browser gets is escaped
            assert props["name"] in HOSTILE_NAMES
            assert "<img" not in props["popup"] and "<script" not in props["popup"]
            assert "<img" not in props["tooltip"] and "<script" not in props["tooltip"]
    public = maps.public_map(sites, dataset)
    popups = [f["properties"]["popup"] for f in layers_by_key(public)["zones"][0]["features"]]
    assert "<h3>&lt;img src=x onerror=alert(1)&gt;</h3>" in popups[0]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in popups[0]
    assert "{{ 7*7 }}" in popups[2]
    config, _ = init_call(public)
    names = [e["name"] for e in config["layerControl"]["overlays"]]
    assert "&lt;script&gt;layer&lt;/script&gt;" in names  # Leaflet shows layer names as HTML
    status_labels = [i["label"] for i in config["legend"][0]["items"]]
    assert "<b>planned</b>" in status_labels  # raw, but the legend writes it with textContent


def test_js_json_escapes_html_specials():
    text = maps._js_json({"a": "</script><b>&'\u2028"})
    assert not set("<>&'") & set(text)
    assert json.loads(text) == {"a": "</script><b>&'\u2028"}


# ----------------------------------------------------------------------------- missing layers


def test_zones_only_dataset(tiny_zones_only_path):
    dataset = valleys.load_dataset(tiny_zones_only_path)
    sites = valleys.site_features(dataset)
    for parts in (
        maps.public_map(sites, dataset),
        maps.site_map(sites, dataset, sites.index[0]),
        maps.score_map(
            {"ranked": [{"id": sites.index[0], "rank": 1, "score": 1.0}], "excluded": []},
            sites,
            dataset,
        ),
    ):
        config, names = init_call(parts)
        assert "zones" in names
        assert not {"communes", "regions", "airports"} & set(names)
        assert not config.get("indicators")
        assert config["fit"][0][0] <= config["fit"][1][0]


def test_missing_columns_and_statuses():
    zones = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["A", None]},
        geometry=[shapely.Point(-6.8, 34.0), shapely.box(-7.7, 33.5, -7.6, 33.6)],
        crs=4326,
    )
    dataset = _dataset(zones=zones)
    sites = zones.set_index("id", drop=False)  # no lon/lat, no status: geometry is used
    parts = maps.public_map(sites, dataset)
    features = layers_by_key(parts)["zones"][0]["features"]
    assert [f["properties"]["name"] for f in features] == ["A", "b"]
    assert features[1]["geometry"]["type"] == "Point"
    config, _ = init_call(parts)
    assert config["legend"][0]["items"] == [
        {"color": maps.UNKNOWN_STATUS_COLOR, "label": "Status unknown", "shape": "circle"}
    ]


def test_empty_zones_fit_default_bounds():
    zones = gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=4326)
    parts = maps.public_map(_sites(zones), _dataset(zones=zones))
    config, _ = init_call(parts)
    assert config["fit"] == maps.DEFAULT_BOUNDS
    assert layers_by_key(parts)["zones"][0]["features"] == []


# ----------------------------------------------------------------------------- zone map


def test_site_map_nearest_infrastructure(tiny):
    dataset, sites = tiny
    parts = maps.site_map(sites, dataset, "technopolis")
    config, names = init_call(parts)
    assert config["kind"] == "site" and config["zone"] == "technopolis"
    layers = layers_by_key(parts)
    lines = {f["properties"]["layer"]: f for f in layers["nearest"][0]["features"]}
    assert set(lines) == {"airports", "rail_stations"}
    zone = (sites.loc["technopolis", "lon"], sites.loc["technopolis", "lat"])
    for layer, feature in lines.items():
        km = sites.loc["technopolis", f"{layer}_km"]
        assert feature["properties"]["km"] == pytest.approx(km, abs=0.01)
        assert f"{km:.1f} km" in feature["properties"]["label"]
        start, end = feature["geometry"]["coordinates"]
        assert start == pytest.approx(zone, abs=1e-5)
        # the line ends on the nearest feature of that layer
        layer_gdf = dataset.layers[layer]
        reps = layer_gdf.geometry.representative_point()
        km = maps._haversine_km(zone[0], zone[1], reps.x.to_numpy(), reps.y.to_numpy())
        nearest = layer_gdf.index[int(np.argmin(km))]
        target = reps.loc[nearest]
        assert end == pytest.approx((target.x, target.y), abs=1e-5)
        assert layer_gdf.loc[nearest, "name"] in feature["properties"]["label"]
    assert [f["properties"]["id"] for f in layers["zones"][0]["features"]] == ["technopolis"]


def test_site_map_draws_a_polygon_zone(tiny):
    dataset, sites = tiny
    polygon_ids = dataset.zones.loc[dataset.zones.geom_type.str.contains("Polygon"), "id"]
    assert len(polygon_ids), "the tiny fixture has polygon zones"
    parts = maps.site_map(sites, dataset, polygon_ids.iloc[0])
    area = layers_by_key(parts)["area"][0]["features"]
    assert len(area) == 1 and area[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_site_map_unknown_zone_is_a_user_error(tiny):
    dataset, sites = tiny
    with pytest.raises(maps.MapError, match="zone 'nowhere' is not in the dataset"):
        maps.site_map(sites, dataset, "nowhere")
    assert issubclass(maps.MapError, valleys.TechValleyError)


# ----------------------------------------------------------------------------- score map


def _shortlist(sites) -> dict:
    ids = list(sites.index)
    return {
        "ranked": [
            {"id": ids[0], "name": "a", "rank": 1, "score": 0.8},
            {"id": ids[1], "name": "b", "rank": 2, "score": 0.5},
            {"id": ids[2], "name": "c", "rank": 2, "score": 0.5},
            {"id": ids[3], "name": "d", "rank": 4, "score": 0.2},
        ],
        "excluded": [
            {"id": ids[4], "name": "e", "reasons": ["rent_mad_m2_month missing"]},
            {"id": "gone", "name": "no longer in the data", "reasons": ["x"]},
        ],
        "robustness": {ids[0]: {"p_first": 0.71, "p_top3": 0.98}},
    }


def test_score_map_colours_by_score_and_greys_excluded(tiny):
    dataset, sites = tiny
    parts = maps.score_map(_shortlist(sites), sites, dataset)
    config, names = init_call(parts)
    assert config["kind"] == "score"
    layers = layers_by_key(parts)
    ranked = {f["properties"]["id"]: f["properties"] for f in layers["zones"][0]["features"]}
    ids = list(sites.index)
    assert [ranked[i]["rank"] for i in ids[:4]] == [1, 2, 2, 4]
    assert ranked[ids[0]]["color"] == maps.SCORE_COLORS[-1]  # best score: the top colour
    assert ranked[ids[3]]["color"] == maps.SCORE_COLORS[0]
    assert ranked[ids[1]]["color"] == ranked[ids[2]]["color"]
    assert "0.8" in ranked[ids[0]]["popup"] and "Rank" in ranked[ids[0]]["popup"]
    assert "Ranked first in draws</th><td>71%" in ranked[ids[0]]["popup"]
    assert "Ranked first in draws" not in ranked[ids[1]]["popup"]
    excluded = layers["excluded"][0]["features"]
    assert [f["properties"]["id"] for f in excluded] == [ids[4]]
    assert excluded[0]["properties"]["color"] == maps.EXCLUDED_COLOR
    assert "Rent (MAD/m²/month) missing" in excluded[0]["properties"]["popup"]  # a reason, labelled
    assert config["notOnMap"] == ["gone"]
    legend = {s["key"]: s for s in config["legend"]}
    assert legend["score"]["min"] == "0.2" and legend["score"]["max"] == "0.8"
    assert legend["score"]["gradient"][0] == maps.SCORE_COLORS[0]
    assert "gone" in [i["label"] for i in legend["not_on_map"]["items"]]


def test_score_map_single_score_and_bad_shortlist(tiny):
    dataset, sites = tiny
    sid = sites.index[0]
    parts = maps.score_map({"ranked": [{"id": sid, "rank": 1, "score": 0.42}]}, sites, dataset)
    props = layers_by_key(parts)["zones"][0]["features"][0]["properties"]
    assert props["color"] == maps.SCORE_COLORS[-1]
    empty = maps.score_map({"ranked": [], "excluded": []}, sites, dataset)
    assert layers_by_key(empty)["zones"][0]["features"] == []
    with pytest.raises(maps.MapError, match="shortlist is a JSON object"):
        maps.score_map(["not", "a", "shortlist"], sites, dataset)


# ----------------------------------------------------------------------------- internals


def test_packed_polygons_round_trip():
    polygon = shapely.Polygon(
        [(-7.0, 33.0), (-6.0, 33.0), (-6.0, 34.0), (-7.0, 34.0)],
        holes=[[(-6.8, 33.2), (-6.2, 33.2), (-6.2, 33.8), (-6.8, 33.8)]],
    )
    multi = shapely.MultiPolygon([polygon, shapely.box(-5.123456, 30.0, -5.0, 30.1)])
    text = maps._packed_features(
        [polygon, multi, None], [{"n": "p"}, {"n": "m"}, {"n": "x"}], decimals=4
    )
    collection = unpack(json.loads(text))
    assert [f["properties"]["n"] for f in collection["features"]] == ["p", "m"]
    back = [shapely.geometry.shape(f["geometry"]) for f in collection["features"]]
    assert back[0].equals(polygon)
    assert back[1].geom_type == "MultiPolygon"
    assert back[1].symmetric_difference(multi).area < 1e-4


def test_simplification_is_metric_and_keeps_shared_borders():
    # a wiggly shared border, 40 m wiggles: gone at 400 m, and both communes still meet
    xs = np.linspace(-7.0, -6.0, 400)
    wiggle = 33.5 + 0.0004 * np.sin(np.arange(400))
    south = shapely.Polygon([(-7.0, 33.0), (-6.0, 33.0), *zip(xs[::-1], wiggle[::-1], strict=True)])
    north = shapely.Polygon([*zip(xs, wiggle, strict=True), (-6.0, 34.0), (-7.0, 34.0)])
    border = gpd.GeoSeries([south, north], crs=4326)
    simple = maps._simplified(border, 400, coverage=True)
    assert shapely.get_num_coordinates(simple.values).sum() < 80  # from 808
    # the tolerance is in metres: 10 m keeps the 40 m wiggles
    assert (
        shapely.get_num_coordinates(maps._simplified(border, 10, coverage=True).values).sum() > 700
    )
    assert simple.iloc[0].intersection(simple.iloc[1]).length > 0.9  # still one border


def test_prepared_layers_cached_per_table(tiny):
    dataset, sites = tiny
    maps.prepare(dataset)
    first = layers_by_key(maps.public_map(sites, dataset))["communes"]
    other = dataset.communes.copy()
    other["labour_active"] = other["labour_active"] * 2
    changed = SimpleNamespace(**{**vars(dataset), "layers": {**dataset.layers, "communes": other}})
    changed.communes, changed.regions = other, dataset.regions
    changed.zones, changed.point_layers = dataset.zones, dataset.point_layers
    second = layers_by_key(maps.public_map(sites, changed))["communes"]
    values = [f[0]["v"][0] for f in first[0]["features"]]
    assert [f[0]["v"][0] for f in second[0]["features"]] == [2 * v for v in values]


def test_a_cdn_link_is_refused(tiny):
    from folium.plugins import Fullscreen

    dataset, sites = tiny
    m = maps._new_map("public", css_height="10px")
    Fullscreen().add_to(m)  # folium's plugin loads from a CDN
    with pytest.raises(RuntimeError, match="serve it locally"):
        maps._render(m)


def test_height_must_be_a_css_length(tiny):
    dataset, sites = tiny
    parts = maps.public_map(sites, dataset, height="420px")
    assert "height: 420px;" in parts.header
    with pytest.raises(maps.MapError, match="not a CSS length"):
        maps.public_map(sites, dataset, height="1px;} body {display:none")


def test_sites_must_be_a_table(tiny):
    dataset, _ = tiny
    with pytest.raises(maps.MapError, match="valleys.site_features"):
        maps.public_map([1, 2], dataset)


# ----------------------------------------------------------------------------- budget


@pytest.fixture(scope="module")
def shipped():
    dataset = valleys.load_dataset()
    return dataset, valleys.site_features(dataset)


@pytest.mark.slow
def test_public_map_under_2_mb_on_the_shipped_dataset(shipped):
    dataset, sites = shipped
    parts = maps.public_map(sites, dataset)
    size = len(parts.page().encode("utf-8"))
    print(f"public map page on the shipped dataset: {size / 1e6:.2f} MB")
    assert size < 2_000_000
    config, names = init_call(parts)
    assert {"zones", "communes", "regions"} <= set(names)
    assert len(config["indicators"]) == 4
    assert len(layers_by_key(parts)["zones"][0]["features"]) == len(sites)
    assert parts.script.count('"kind":"communes"') == 1
    _ = pd  # pandas is imported for the fixtures' tables
