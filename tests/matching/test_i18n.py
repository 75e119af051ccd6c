"""The shared vocabulary: every message code, every shipped column and every enumeration value
renders in English and French from the catalogue; the French output holds no column id, no raw
enumeration value and no English sentence of the engine."""

from __future__ import annotations

import re
import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir

import valleys
from matching import i18n
from matching.export.labels import LABELS
from matching.messages import KEYS, Message, from_text, message
from matching.phrases import FIXED, PHRASES
from matching.suitability import suitability
from tests.matching import test_messages as engine
from valleys.grid import grid_features

NNBSP = "\u202f"
ZONES_CSV = Path(__file__).parents[2] / "geodata" / "facts" / "zones.csv"
#: enumeration values a reader must never see as they are stored
RAW_ENUMS = ("p2i_primary", "p2i_secondary", "no_p2i_region", "under_development",
             "weighted_sum", "operating", "planned", "uncertain", "benefit", "cost", "exclude",
             "worst", "ignore", "topsis", "minmax", "vector", "true", "false", "True", "False")
#: the words of the English templates (the parts between the slots long enough to be words)
ENGLISH = sorted({part.strip() for template in PHRASES.values()
                  for part in re.split(r"%\(\w+\)s", template) if len(part.strip()) >= 10})


def shipped_columns(tiny_data_path: Path) -> list[str]:
    """The columns of the shipped zones (the facts file and the features the build adds), of
    the suitability grid's cells and of its result."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", valleys.DatasetWarning)
        dataset = valleys.load_dataset(tiny_data_path)
        columns = list(pd.read_csv(ZONES_CSV, nrows=0).columns)
        columns += list(valleys.site_features(dataset).columns)
        columns += list(grid_features(dataset, resolution=6).columns)
        result = suitability(dataset, resolution=6, percentile=10, top=5).to_json()
    columns += [key for area in result["areas"] for key in area]
    return [c for c in dict.fromkeys(columns) if c != "geometry"]


def column_ids(columns: list[str]) -> list[str]:
    """The column ids no reader can take for a word (they hold an underscore)."""
    return [c for c in columns if "_" in c]


def offenders(text: str, columns: list[str], *, enums: bool = True,
              english: bool = True) -> list[str]:
    """What should not be in a reader's text: column ids, raw enumeration values, the
    English sentences of the engine."""
    found = [f"column {c}" for c in column_ids(columns)
             if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)]
    if enums:
        found += [f"enum {e}" for e in RAW_ENUMS if re.search(rf"(?<!\w){e}(?!\w)", text)]
    if english:
        found += [f"English {part!r}" for part in ENGLISH if part in text]
    found += ["(missing: ...)"] if "(missing:" in text else []
    return found


@pytest.fixture
def every_message(tiny_data_path) -> list[dict]:
    """Every message the engine writes, from real shortlists, grids and estimates."""
    sites = engine.sites.__wrapped__()
    found = [m for result in engine._shortlists(sites, tiny_data_path)
             for m in engine._check_beside(result)]
    found += [m.as_json() for m in [*engine._other_sentences(),
                                    *engine._grid_sentences(tiny_data_path)]]
    return found


def test_every_code_renders_in_both_languages(every_message, tiny_data_path):
    columns = shipped_columns(tiny_data_path)
    assert {m["code"] for m in every_message} == set(i18n.CODES_AND_TEMPLATES)
    for m in every_message:
        english, french = i18n.render(m, "en"), i18n.render(m, "fr")
        # a comparison on a user's own column has no words to translate
        assert english and french and (french != m["text"] or m["code"] == "constraint.failed"), m
        assert not offenders(french, columns), (m, french, offenders(french, columns))
        # English keeps the engine's words but still shows labels, not ids
        assert not offenders(english, columns, enums=False, english=False), (m, english)
        assert not [e for e in RAW_ENUMS if "_" in e and e in english], (m, english)


@pytest.mark.parametrize("code", sorted(i18n.CODES_AND_TEMPLATES))
def test_every_code_has_a_french_template_with_the_same_slots(code):
    template = i18n.CODES_AND_TEMPLATES[code]
    assert template in i18n.catalogue_msgids("fr"), f"no French for {code}"
    french = i18n.gettext(template, "fr")
    slots, french_slots = (set(re.findall(r"%\((\w+)\)s", t)) for t in (template, french))
    # every parameter is shown; a fixed slot may be written out (the operator as a symbol)
    assert set(slots) - set(FIXED.get(KEYS[code], {})) <= french_slots <= slots
    assert french != template or code == "constraint.failed"


def test_every_catalogue_string_of_the_engine_has_french():
    """What ``pybabel extract -k N_`` finds in matching/ is translated (not fuzzy, not empty)."""
    root = Path(i18n.__file__).parent
    msgids = {str(msgid) for _, _, msgid, *_ in extract_from_dir(
        str(root), method_map=[("**.py", "python")], keywords={"N_": None})}
    assert len(msgids) > 150
    assert sorted(msgids - i18n.catalogue_msgids("fr")) == []


def test_every_shipped_column_has_a_label_in_both_languages(tiny_data_path):
    columns = shipped_columns(tiny_data_path)
    assert {"airports_km", "catchment_labour_active", "area_km2", "incentive_zone_class"} <= set(
        columns)
    unlabelled = [c for c in columns if c not in i18n.COLUMN_LABELS]
    assert unlabelled == []
    french = i18n.catalogue_msgids("fr")
    for column in columns:
        assert i18n.COLUMN_LABELS[column] in french, column
        for lang in ("en", "fr"):
            label = i18n.column_label(column, lang)
            assert label and not offenders(label, columns, english=False), (column, lang, label)


def test_every_enumeration_value_has_words_in_both_languages():
    french = i18n.catalogue_msgids("fr")
    for column, words in i18n.VALUE_LABELS.items():
        for value, msgid in words.items():
            assert msgid in french, (column, value)
            assert i18n.value_label(column, value, "en") == msgid
            label = i18n.value_label(column, value, "fr")
            assert label == i18n.gettext(msgid, "fr")
            if "_" in value or value in RAW_ENUMS:
                assert not offenders(label, [], english=False), (column, value, label)
    assert [i18n.value_label("eligible", v, "fr") for v in (True, False)] == ["oui", "non"]
    assert i18n.value_label("status", "true", "en") == "yes"


def test_a_users_own_column_reads_as_words_with_its_unit():
    assert i18n.column_label("catchment_call_centres_count", "en") == "call centres (count)"
    assert i18n.column_label("catchment_call_centres_count", "fr") == "call centres (nombre)"
    assert i18n.column_label("office_rent_mad_m2_month", "fr") == "office rent (MAD/m²/mois)"
    assert i18n.column_label("fibre_pct", "en") == "fibre (%)"
    assert i18n.column_label("floors", "fr") == "floors"
    assert i18n.value_label("kind", "call_centre", "fr") == "call centre"  # never raw


def test_units_numbers_and_dates_in_each_language():
    assert i18n.unit_label("MAD/m²/month", "fr") == "MAD/m²/mois"
    assert i18n.unit_label("MAD/job", "fr") == "MAD/emploi"
    assert i18n.format_number(1759609.0, "fr") == f"1{NNBSP}759{NNBSP}609"
    assert i18n.format_number(1759609.0, "en") == "1,759,609"
    assert i18n.format_number(0.123, "fr", digits=3, fixed=True) == "0,123"
    assert i18n.format_number(None, "fr") == i18n.format_number(float("nan"), "en") == "–"
    assert i18n.format_percent(3.5, "fr") == f"3,5{NNBSP}%"
    assert i18n.format_km(18.68, "en") == "18.7 km"
    assert i18n.format_money_mad(11_592_000, "fr") == f"11{NNBSP}592{NNBSP}000 MAD"
    assert i18n.format_date(date(2030, 12, 31), "fr") == "31 décembre 2030"
    assert i18n.format_date("not a date", "fr") == "not a date"


def test_an_unknown_language_reads_english():
    assert i18n.language("de") == "en"
    assert i18n.gettext("Ranked zones", "de") == "Ranked zones"
    assert i18n.column_label("airports_km", "xx") == i18n.column_label("airports_km", "en")


def test_render_writes_parameters_for_the_language():
    failed = message("constraint.failed", column="rent_mad_m2_month", value=140.0,
                     unit="MAD/m²/month", op=">", limit=120)
    assert i18n.render(failed, "fr") == "Loyer 140 MAD/m²/mois > 120"  # the value carries the unit
    status = message("constraint.not_one_of", column="status", value="planned",
                     values=["operating", "under_development"])
    assert i18n.render(status, "fr") == (
        "Statut prévue ne fait pas partie de en activité ou en développement")
    assert i18n.render(status, "en") == "Status planned is not one of operating or under development"
    checked = message("constraint.not_checked", column="available_m2",
                      constraint={"column": "available_m2", "op": ">=", "value": 3200.0})
    assert i18n.render(checked, "fr") == (
        f"Surface disponible (m²){NNBSP}: valeur manquante, condition «{NNBSP}Surface disponible (m²) "
        f"≥ 3{NNBSP}200{NNBSP}» non vérifiée")
    cap = message("assumption.income_tax_cap", cap=0.2, zone_class="p2i_primary", years=5,
                  until="2030-12-31")
    assert "(zone P2I principale)" in i18n.render(cap, "fr")
    assert "31 décembre 2030" in i18n.render(cap, "fr")


def test_a_message_without_its_parameters_or_code_falls_back_to_its_text():
    assert i18n.render({"code": "constraint.failed", "params": {}, "text": "as saved"},
                       "fr") == "as saved"
    assert i18n.render(Message("nobody.knows", {}, "as it is"), "fr") == "as it is"


def test_a_sentence_saved_as_text_only_renders_from_its_template():
    said = from_text("rent_mad_m2_month missing: scored as the worst observed value "
                     "(95 MAD/m²/month)")
    assert said is not None
    assert i18n.render(said, "fr") == (
        f"Loyer{NNBSP}: valeur manquante, notée à la pire valeur observée (95 MAD/m²/mois)")
    old = from_text("available_m2 2,200 m² < 3,200")
    assert i18n.render(old, "fr") == f"Surface disponible 2{NNBSP}200 m² < 3{NNBSP}200"


def test_the_exports_words_have_french():
    french = i18n.catalogue_msgids("fr")
    assert [key for key, msgid in LABELS.items() if msgid not in french] == []


def test_the_requirements_warnings_and_assumptions_carry_values(tiny_data_path):
    """Presets, floor area and AHP: messages with numbers and lists, not pre-written text."""
    from matching.shortlist import make_shortlist

    sites = engine.sites.__wrapped__()
    said = {m["code"]: m for m in make_shortlist({"activity": "CRM", "headcount": 100}, sites,
                                                 robustness_draws=0)["messages"]}
    assert said["assumption.floor_area_from_headcount"]["params"] == {
        "area": 800.0, "headcount": 100, "m2_per_seat": 8.0}
    assert said["assumption.available_m2_needed"]["params"] == {"area": 800.0}
    assert said["assumption.available_m2_needed"]["text"].startswith("zones need available_m2 >= 800 m²")
    assert i18n.render(said["assumption.available_m2_needed"], "fr").startswith(
        f"les zones doivent avoir Surface disponible (m²) ≥ 800 m²{NNBSP};")
    ahp = make_shortlist({"activity": "CRM", "ahp": {"criteria": ["airports_km"], "matrix": [[1]]}},
                         sites, robustness_draws=0)
    unscored = next(m for m in ahp["messages"] if m["code"] == "warning.preset_criteria_not_in_ahp")
    assert isinstance(unscored["params"]["columns"], list)
    assert "Loyer (MAD/m²/mois)" in i18n.render(unscored, "fr")


@pytest.mark.parametrize("params", [
    {"column": {"a": 1}, "value": [[1]], "op": 5, "limit": {"x": None}},
    {"column": None, "value": float("nan"), "unit": None, "op": "<", "limit": True},
    {"column": "x" * 10_000, "value": "<img src=x onerror=alert(1)>", "op": "!=", "limit": "y"},
    [1, 2],
    None,
])
def test_a_hostile_message_renders_as_text_never_raises(params):
    out = i18n.render({"code": "constraint.failed", "params": params, "text": "saved"}, "fr")
    assert isinstance(out, str) and out


def test_the_catalogue_passes_babels_checks():
    """Every French msgstr uses exactly the placeholders of its msgid (``msgfmt -c``): a
    translation that drops ``%(op)s`` would print the wrong operator or fail to render."""
    from babel.messages.pofile import read_po

    with i18n._po_path("fr").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert not problems, problems
