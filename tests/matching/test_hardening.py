"""Hostile requirements and exports (issue 9): each test feeds the exact input of the report.

Alias bombs, documents nested hundreds of levels deep, integers beyond a float's range, lists of
62,000 criteria, control characters in a name, formula-like zone ids: each is a clear
``RequirementsError`` naming the field or the line (exit 2 / 422), or an export that works.
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

import openpyxl
import pytest

import valleys
from matching import export
from matching.errors import RequirementsError
from matching.requirements import (
    MAX_CONSTRAINTS,
    MAX_CRITERIA,
    MAX_NESTING_DEPTH,
    MAX_VALUES,
    check_nesting,
    parse_requirements,
    parse_requirements_text,
)
from matching.shortlist import make_shortlist

#: The report's 404-character bomb: 9 ** 8 (43 million) values once expanded.
ALIAS_BOMB = "\n".join(
    ["l0: &l0 [a, a, a, a, a, a, a, a, a]"]
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
) + "\n"
HUGE = 10**309  # beyond a float's range: float() raises OverflowError
RENT = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}


def deep_list_json(depth: int) -> str:
    return '{"name": ' + "[" * depth + "]" * depth + "}"


def deep_about_json(depth: int) -> str:
    return '{"criteria": [' + json.dumps(RENT) + '], "about": ' + '{"a":' * depth + "1" + "}" * depth + "}"


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(RequirementsError) as info:
        call(*args, **kwargs)
    return str(info.value)


@pytest.fixture(scope="module")
def sites():
    return valleys.load_sites("tests/fixtures/tiny")


# --------------------------------------------------------------------------------------------
# YAML: aliases, anchors, tags


def test_alias_bomb_is_refused_at_its_first_anchor_without_expanding():
    assert 400 <= len(ALIAS_BOMB) <= 420
    tracemalloc.start()
    try:
        message = error_of(parse_requirements_text, ALIAS_BOMB, source="bomb.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("bomb.yaml, line 1, column 5: YAML anchors and aliases (here &l0)")
    assert "write each value out in full" in message
    assert peak < 5_000_000  # the expansion would be gigabytes


def test_alias_bomb_inside_about_is_refused():
    text = "criteria: [{column: rent_mad_m2_month, direction: cost}]\nabout:\n  " + ALIAS_BOMB.replace("\n", "\n  ")
    assert "line 3, column 7: YAML anchors and aliases (here &l0)" in error_of(
        parse_requirements_text, text, source="req.yaml")


def test_a_merge_key_needs_an_anchor_and_is_refused():
    text = "base: &b {column: rent_mad_m2_month}\ncriteria: [{<<: *b, direction: cost}]\n"
    assert "line 1, column 7: YAML anchors and aliases (here &b)" in error_of(
        parse_requirements_text, text, source="req.yaml")


def test_a_yaml_flow_mapping_bomb_is_named_as_an_alias_not_a_json_error():
    text = "{l0: &l0 [a, a], l1: [*l0, *l0]}"
    message = error_of(parse_requirements_text, text, source="req")
    assert "YAML anchors and aliases (here &l0)" in message and "JSON syntax error" not in message


@pytest.mark.parametrize("tag", ["set", "binary", "omap", "pairs", "timestamp"])
def test_yaml_tags_json_cannot_say_are_refused(tag):
    values = {"set": "{a, b}", "binary": "aGVsbG8=", "omap": "[{a: 1}]", "pairs": "[{a: 1}]",
              "timestamp": "2025-01-01"}
    message = error_of(parse_requirements_text, f"about: !!{tag} {values[tag]}\n", source="r.yaml")
    assert f"r.yaml, line 1, column 8: the YAML tag !!{tag} is not accepted" in message


def test_a_date_is_text_as_in_json():
    assert parse_requirements_text("name: 2025-01-01\n") == {"name": "2025-01-01"}


# --------------------------------------------------------------------------------------------
# Nesting


@pytest.mark.parametrize("depth", [300, 500])
def test_deep_json_text_is_refused_naming_where(depth):
    message = error_of(parse_requirements_text, deep_list_json(depth), source="req.json")
    assert message.startswith(f"req.json is nested more than {MAX_NESTING_DEPTH} levels deep (at name[0]")
    message = error_of(parse_requirements_text, deep_about_json(depth), source="req.json")
    assert "nested more than 32 levels deep (at about.a.a" in message


@pytest.mark.parametrize("depth", [300, 500])
def test_deep_yaml_is_refused_while_composing_with_its_line(depth):
    flow = "about: " + '{"a": ' * depth + "1" + "}" * depth + "\n"
    message = error_of(parse_requirements_text, flow, source="req.yaml")
    assert message.startswith("req.yaml, line 1, column ")
    assert "nested more than 32 levels deep" in message
    block = "about:\n" + "".join(" " * i + "a:\n" for i in range(1, depth)) + " " * depth + "a: 1\n"
    message = error_of(parse_requirements_text, block, source="req.yaml")
    assert "req.yaml, line 33," in message and "nested more than 32 levels deep" in message


def test_json_too_deep_for_python_is_a_requirements_error():
    message = error_of(parse_requirements_text, deep_list_json(100_000), source="req.json")
    assert "req.json is nested more than 32 levels deep" in message


@pytest.mark.parametrize("depth", [300, 500])
def test_deep_dict_from_the_api_is_refused_by_parse_requirements(depth):
    document = json.loads(deep_about_json(depth))
    message = error_of(parse_requirements, document, source="request body")
    assert message.startswith("request body is nested more than 32 levels deep (at about.a.a")


def test_nesting_at_the_limit_passes():
    about: dict = {}
    node = about
    for _ in range(MAX_NESTING_DEPTH - 2):  # the top mapping and `about` are 2 levels
        node["a"] = {}
        node = node["a"]
    check_nesting({"about": about})
    node["a"] = {"b": 1}
    with pytest.raises(RequirementsError, match="nested more than 32"):
        check_nesting({"about": about})


# --------------------------------------------------------------------------------------------
# Numbers beyond a float


def test_constraint_value_of_ten_to_the_309_names_its_field(sites):
    text = ('{"constraints":[{"column":"rent_mad_m2_month","op":"<=","value": 1' + "0" * 309
            + '}], "criteria": [' + json.dumps(RENT) + "]}")
    document = parse_requirements_text(text, source="req.json")
    assert document["constraints"][0]["value"] == HUGE
    message = error_of(make_shortlist, document, sites, source="req.json")
    assert ("constraints[0].value (column rent_mad_m2_month): 310-digit number is too large to "
            "compare; give a number below 1e308") in message


@pytest.mark.parametrize(
    ("document", "field", "fragment"),
    [
        ({"constraints": [{"column": "city", "op": "==", "value": HUGE}]},
         "constraints[0].value (column city)", "310-digit number is too large"),
        ({"constraints": [{"column": "rent_mad_m2_month", "op": "in", "value": [1, HUGE]}]},
         "constraints[0].value (column rent_mad_m2_month)", "310-digit number is too large"),
        ({"criteria": [{**RENT, "weight": HUGE}]},
         "criteria[0].weight (column rent_mad_m2_month)", "310-digit number is too large"),
        ({"headcount": HUGE}, "headcount", "less than or equal to 1000000"),
        ({"floor_area_m2": HUGE}, "floor_area_m2", "310-digit number is too large"),
        ({"salary_mad_month": HUGE}, "salary_mad_month", "310-digit number is too large"),
        ({"robustness": {"draws": HUGE}}, "robustness.draws", "less than or equal to"),
        ({"robustness": {"seed": HUGE}}, "robustness.seed", "less than or equal to"),
        ({"ahp": {"criteria": ["a", "b"], "matrix": [[1, HUGE], [1, 1]]}},
         "ahp.matrix[0][1]", "310-digit number is too large"),
    ],
)
def test_every_numeric_field_refuses_ten_to_the_309(document, field, fragment):
    message = error_of(parse_requirements, document, source="req")
    assert f"  - {field}: " in message and fragment in message
    assert len(message) < 500  # the 310 digits are not echoed in full


def test_a_number_too_long_for_python_names_its_line():
    message = error_of(parse_requirements_text, "name: x\nheadcount: 1" + "0" * 5000 + "\n",
                       source="req.yaml")
    assert message.startswith("req.yaml, line 2, column 12: the number 1000")
    assert "is too long to read" in message
    message = error_of(parse_requirements_text, '{"headcount": 1' + "0" * 5000 + "}",
                       source="req.json")
    assert "req.json holds a number too long to read" in message


# --------------------------------------------------------------------------------------------
# Long lists: linear checks, capped counts


def test_ahp_block_of_62000_criteria_is_refused_with_its_count():
    document = {"ahp": {"criteria": ["a"] * 62_000, "matrix": [[1]]}}
    for columns in (None, ["a", "rent_mad_m2_month"]):
        message = error_of(parse_requirements, document, columns=columns, source="body")
        assert "ahp.criteria: List should have at most 100 items after validation, not 62000" in message
        assert len(message) < 1000


def test_duplicate_checks_name_each_duplicate_once():
    names = [f"c{i}" for i in range(MAX_CRITERIA)]
    names[-1] = names[-2] = "c0"
    message = error_of(parse_requirements, {"ahp": {"criteria": names, "matrix": [[1]]}})
    assert "ahp.criteria names c0 more than once" in message
    criteria = [{"column": "x", "direction": "cost"}] * MAX_CRITERIA
    assert "criteria: x appear more than once" in error_of(parse_requirements, {"criteria": criteria})


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"criteria": [RENT] * (MAX_CRITERIA + 1)}, "criteria: List should have at most 100 items"),
        ({"constraints": [{"column": "x", "op": "<", "value": 1}] * (MAX_CONSTRAINTS + 1)},
         "constraints: List should have at most 100 items"),
        ({"constraints": [{"column": "city", "op": "in", "value": ["x"] * (MAX_VALUES + 1)}]},
         "constraints[0].value (column city): at most 100 values, not 101"),
        ({"constraints": [{"column": "city", "op": "==", "value": "x" * 501}]},
         "constraints[0].value (column city): a text value holds at most 500 characters, not 501"),
        ({"name": "n" * 501}, "name: String should have at most 500 characters"),
    ],
)
def test_long_lists_and_texts_are_capped(document, fragment):
    assert fragment in error_of(parse_requirements, document, columns=["rent_mad_m2_month"])


def test_a_million_criteria_give_one_short_message():
    criteria = [{"column": f"c{i}", "direction": "sideways"} for i in range(1_000_000)]
    message = error_of(parse_requirements, {"criteria": criteria}, columns=["x"])
    assert "criteria: List should have at most 100 items" in message and len(message) < 1000


def test_problems_listed_are_capped():
    criteria = [{"column": f"c{i}", "direction": "sideways"} for i in range(MAX_CRITERIA)]
    message = error_of(parse_requirements, {"criteria": criteria})
    assert "100 problems" in message and "... and 50 more problems" in message


def test_huge_texts_are_shortened_in_messages():
    message = error_of(parse_requirements, {"method": "x" * 1_000_000, "y" * 100_000: 1})
    assert "(1,000,002 characters)" in message and len(message) < 2000  # with its quotes


# --------------------------------------------------------------------------------------------
# Exports


def test_xlsx_of_a_name_with_control_characters_opens(sites):
    result = make_shortlist({"name": "Acme\x01\x0bBPO", "criteria": [RENT]}, sites,
                            robustness_draws=0)
    data = export.to_xlsx(result, sites)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = [cell.value for row in workbook["assumptions"].iter_rows() for cell in row]
    assert "Acme\ufffd\ufffdBPO" in values
    assert workbook.properties.title.endswith("Acme\ufffd\ufffdBPO")


def test_xlsx_cells_hold_at_most_excels_limit(sites):
    sites = sites.copy()
    sites.loc[sites.index[0], "name"] = "n" * 40_000  # a dataset's text is not capped
    result = make_shortlist({"criteria": [RENT]}, sites, robustness_draws=0)
    workbook = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(result, sites)))
    longest = max(len(str(cell.value or "")) for ws in workbook for row in ws.iter_rows() for cell in row)
    assert longest == export.XLSX_MAX_CELL_CHARS


@pytest.mark.parametrize("zone_id", ['=HYPERLINK("http://x","y")', "+1", "-1", "@x", "'=x", "'ok"])
def test_csv_defuses_formula_like_ids_reversibly(sites, zone_id):
    frame = sites.copy()
    old = frame.index[0]
    frame.loc[old, "id"] = zone_id
    frame.index = frame["id"].tolist()
    result = make_shortlist({"criteria": [RENT]}, frame, robustness_draws=0)
    rows = list(csv.DictReader(io.StringIO(export.to_csv(result, frame))))
    ids = [row["id"] for row in rows]
    assert "'" + zone_id in ids and zone_id not in ids
    assert sorted(i.removeprefix("'") for i in ids) == sorted(frame["id"])
    assert "technopark-casa" in ids or "casanearshore" in ids  # plain ids stay as they are


def test_a_key_that_looks_like_a_pydantic_step_is_named():
    # the fuzzer's {"0[": null} was a 500: the key was taken for a union member and dropped
    message = error_of(parse_requirements, {"0[": None, "criteria": [{"column": "x", "direction": "up", "int": 1}]})
    assert "  - 0[: unknown key; allowed keys: name," in message
    assert "  - criteria[0].int (column x): unknown key" in message


def test_pdf_footer_cuts_a_long_name_that_a_saved_shortlist_may_hold(sites):
    # the footer is on every page: a name of 190,000 characters there took 292 s of CPU
    result = make_shortlist({"name": "Acme", "criteria": [RENT]}, sites, robustness_draws=0)
    result["requirements"]["name"] = "N" * 2000  # as a shortlist saved before the cap
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(export.to_pdf(result, sites)))
    last_page = reader.pages[-1].extract_text()
    assert "N" * 70 + "…" in last_page and "N" * 81 not in last_page
