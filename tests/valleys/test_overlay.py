"""The inventory overlay (valleys.overlay): checks, CSV, applying, and the commands' --overlay."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from click.testing import CliRunner

import valleys
from valleys import overlay
from valleys.overlay import OverlayError, edit, overlay_frame
from web.cli import main as cli

AT = "2026-01-05T10:00:00+01:00"
TODAY = date(2026, 2, 1)


def row(zone_id: str, column: str, new: str, *, old: str = "", source: str = "operator call"):
    return edit(zone_id, column, new, old=old, by="staff@amdie.example", at=AT, source=source)


@pytest.fixture
def tiny(tiny_data_path):
    return valleys.load_dataset(tiny_data_path)


def check(column: str, value: str, tiny, zone: str = "technopolis") -> str:
    return overlay.check_value(column, value, zone_id=zone, today=TODAY, land=overlay.land_of(tiny))


@pytest.mark.parametrize(("value", "problem"), [
    ("abc", "not-number"), ("0", "not-positive"), ("-5", "not-positive"), ("nan", "not-number"),
    ("inf", "not-number"),
])
def test_a_rent_must_be_a_positive_number(tiny, value, problem):
    with pytest.raises(OverlayError) as info:
        check("rent_mad_m2_month", value, tiny)
    assert info.value.problem == problem
    assert "rent_mad_m2_month" in info.value.message and "'technopolis'" in info.value.message


def test_a_good_rent_is_normalised(tiny):
    assert check("rent_mad_m2_month", "85,5", tiny) == "85.5"
    assert check("rent_mad_m2_month", "90.0", tiny) == "90"
    assert check("available_m2", "0", tiny) == "0"


def test_a_date_in_the_future_is_refused(tiny):
    with pytest.raises(OverlayError, match="in the future") as info:
        check("rent_mad_m2_month_as_of", "2026-03-01", tiny)
    assert info.value.column == "rent_mad_m2_month_as_of"
    assert check("rent_mad_m2_month_as_of", "2026-01-31", tiny) == "2026-01-31"
    with pytest.raises(OverlayError, match="not a date"):
        check("available_m2_as_of", "31/01/2026", tiny)


def test_a_location_outside_morocco_or_swapped_is_named(tiny):
    with pytest.raises(OverlayError, match="swapped") as info:
        check("geometry", "POINT (34.02 -6.74)", tiny)  # latitude typed as longitude
    assert info.value.problem == "swapped" and info.value.zone_id == "technopolis"
    with pytest.raises(OverlayError, match="outside Morocco's land") as info:
        check("geometry", "POINT (2.35 48.85)", tiny)  # Paris
    assert info.value.problem == "outside-land"
    with pytest.raises(OverlayError, match="not a location"):
        check("geometry", "34.0, -6.7", tiny)
    assert check("geometry", "POINT (-6.74 34.02)", tiny) == "POINT (-6.740000 34.020000)"


def test_status_and_columns_are_checked(tiny):
    with pytest.raises(OverlayError, match="not a status"):
        check("status", "open", tiny)
    with pytest.raises(OverlayError, match="cannot be edited"):
        check("catchment_population", "5", tiny)


def test_statuses_agree_with_the_build():
    from valleys.build.facts import LOCATION_PRECISIONS, ZONE_STATUSES

    assert overlay.STATUSES == ZONE_STATUSES
    assert set(overlay.LOCATION_PRECISIONS) >= {"site", "address", "commune"}
    assert "commune" in LOCATION_PRECISIONS


def test_check_overlay_names_every_row_and_column(tiny):
    table = overlay_frame([
        row("technopolis", "rent_mad_m2_month", "-1"),
        row("technopolis", "notes", "ok", source=" "),
        {**row("ctv", "status", "planned"), "changed_at": "yesterday"},
        row("new-zone", "name", "New zone"),
    ])
    with pytest.raises(OverlayError) as info:
        overlay.check_overlay(table, tiny.zones["id"], land=overlay.land_of(tiny), today=TODAY)
    details = info.value.details
    assert any(d.startswith("row 2, column new_value:") and "positive" in d for d in details)
    assert any(d.startswith("row 3, column source:") for d in details)
    assert any(d.startswith("row 4, column changed_at:") for d in details)
    assert any("'new-zone'" in d and "status, geometry" in d for d in details)


def test_apply_changes_facts_moves_and_adds_zones(tiny):
    base = valleys.site_features(tiny)
    table = overlay_frame([
        row("technopolis", "rent_mad_m2_month", "70", old="95"),
        row("technopolis", "rent_mad_m2_month", "75", old="70"),  # the last value wins
        row("technopolis", "geometry", "POINT (-7.6 33.55)"),
        row("ctv", "operator_contact", "+212 5 22 00 00 00"),
        row("tv-fes", "name", "Tech Valley Fès"),
        row("tv-fes", "status", "planned"),
        row("tv-fes", "geometry", "POINT (-6.9 33.95)"),
    ])
    dataset, sites = overlay.overlay_sites(base, tiny, table, today=TODAY)
    assert sites.loc["technopolis", "rent_mad_m2_month"] == 75.0
    assert sites["rent_mad_m2_month"].dtype == float
    assert sites.loc["ctv", "operator_contact"] == "+212 5 22 00 00 00"
    assert "tv-fes" in sites.index and sites.loc["tv-fes", "status"] == "planned"
    # the moved zone's features are those of its new place (the one implementation)
    assert sites.loc["technopolis", ["lon", "lat"]].tolist() == pytest.approx([-7.6, 33.55])
    assert sites.loc["technopolis", "airports_km"] != pytest.approx(base.loc["technopolis", "airports_km"])
    fresh = valleys.site_features(dataset)
    assert sites.loc["technopolis", "airports_km"] == pytest.approx(fresh.loc["technopolis", "airports_km"])
    checked = overlay.check_overlay(table, tiny.zones["id"], today=TODAY)  # values normalised
    assert sites.attrs["version"] == f"{tiny.version}+{overlay.overlay_version(checked)}"
    assert dataset.layers["communes"] is tiny.layers["communes"]


def test_facts_only_keep_the_features(tiny):
    base = valleys.site_features(tiny)
    table = overlay_frame([row("ctv", "rent_mad_m2_month", "60")])
    _, sites = overlay.overlay_sites(base, tiny, table, today=TODAY)
    assert sites.loc["ctv", "rent_mad_m2_month"] == 60.0
    assert sites.loc["ctv", "airports_km"] == base.loc["ctv", "airports_km"]
    assert sites.attrs["version"] != base.attrs["version"]


def test_csv_round_trip_gives_the_same_overlay():
    table = overlay_frame([row("technopolis", "notes", 'a "quoted", multi\nline note'),
                           row("ctv", "rent_mad_m2_month", "70", old="")])
    text = overlay.write_overlay_csv(table)
    again = overlay.read_overlay_csv(io.StringIO(text))
    assert again.equals(table)
    assert overlay.write_overlay_csv(again) == text
    assert overlay.overlay_version(again) == overlay.overlay_version(table) != ""


@pytest.mark.parametrize(("text", "expected"), [
    ("", "empty"),
    ("zone_id,column\nx,y\n", "row 1 (header): missing column(s) old_value"),
    ("zone_id,column,old_value,new_value,changed_by,changed_at,source,extra\n", "unknown column(s) extra"),
    ("zone_id,column,old_value,new_value,changed_by,changed_at,source\na,b,c\n", "row 2: 3 fields"),
])
def test_a_malformed_csv_names_row_and_column(text, expected):
    with pytest.raises(OverlayError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        overlay.read_overlay_csv(io.StringIO(text))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_sites_with_an_overlay_changes_the_output(tiny_data_path, tmp_path):
    path = tmp_path / "overlay.csv"
    overlay.write_overlay_csv(overlay_frame([
        row("technopolis", "rent_mad_m2_month", "70", old="95"),
        row("technopolis", "geometry", "POINT (-7.6 33.55)"),
    ]), path)
    plain = json.loads(run("sites", "--data", tiny_data_path, "--format", "json").stdout)
    result = run("sites", "--data", tiny_data_path, "--format", "json", "--overlay", path)
    assert result.exit_code == 0, result.output
    changed = {r["id"]: r for r in json.loads(result.stdout)}
    before = {r["id"]: r for r in plain}
    assert changed["technopolis"]["rent_mad_m2_month"] == 70
    assert changed["technopolis"]["airports_km"] != before["technopolis"]["airports_km"]
    assert changed["ctv"] == before["ctv"]


def test_shortlist_records_the_overlay_in_its_version(tiny_data_path, tmp_path):
    path = tmp_path / "overlay.csv"
    table = overlay_frame([row("ctv", "rent_mad_m2_month", "40")])
    overlay.write_overlay_csv(table, path)
    requirements = tmp_path / "req.yaml"
    requirements.write_text("criteria:\n  - {column: rent_mad_m2_month, direction: cost, weight: 1}\n")
    result = run("shortlist", requirements, "--data", tiny_data_path, "--format", "json",
                 "--overlay", path)
    assert result.exit_code == 0, result.output
    shortlist = json.loads(result.stdout)
    assert shortlist["dataset"]["version"].endswith("+" + overlay.overlay_version(table))
    assert shortlist["ranked"][0]["id"] == "ctv"


def test_a_bad_overlay_file_is_exit_2_with_the_row(tiny_data_path, tmp_path):
    path = tmp_path / "overlay.csv"
    path.write_text("zone_id,column,old_value,new_value,changed_by,changed_at,source\n"
                    f"technopolis,geometry,,POINT (34.02 -6.74),a,{AT},visit\n")
    result = run("sites", "--data", tiny_data_path, "--overlay", path)
    assert result.exit_code == 2
    assert "row 2, column new_value" in result.stderr and "swapped?" in result.stderr
    assert "Traceback" not in result.output
    missing = run("sites", "--data", tiny_data_path, "--overlay", tmp_path / "nope.csv")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
