"""Requirements: schema, parsing, every bad input with its message, and resolution."""

from __future__ import annotations

import pytest

from matching import settings
from matching.errors import RequirementsError
from matching.requirements import (
    Requirements,
    parse_requirements,
    parse_requirements_text,
    resolve,
)

COLUMNS = ["id", "name", "status", "activities", "available_m2", "rent_mad_m2_month",
           "airports_km", "catchment_labour_active", "catchment_french_literate_pct"]


def _error(data, **kwargs) -> RequirementsError:
    with pytest.raises(RequirementsError) as info:
        parse_requirements(data, **kwargs)
    return info.value


def test_contract_example_parses_with_defaults():
    text = """
name: Example BPO
activity: bpo
headcount: 400
constraints:
  - {column: rent_mad_m2_month, op: "<=", value: 120}
  - {column: airports_km, op: "<=", value: 60, missing: exclude}
criteria:
  - {column: catchment_labour_active, direction: benefit, weight: 5}
  - {column: rent_mad_m2_month, direction: cost, weight: 3, missing: worst}
robustness: {draws: 1000, seed: 0}
ahp:
  criteria: [catchment_labour_active, rent_mad_m2_month]
  matrix: [[1, 3], [0.3333333, 1]]
about: {learned_from: 12 decisions, kendall_tau: 0.8}
"""
    req = parse_requirements(parse_requirements_text(text, source="x.yaml"), columns=COLUMNS)
    assert req.activity == "BPO"
    assert req.method == "topsis" and req.normalization == "values"  # value functions (issue 12)
    assert req.constraints[1].missing == "exclude"
    assert req.criteria[1].missing == "worst"
    assert req.about["kendall_tau"] == 0.8
    plan = resolve(req, COLUMNS)
    assert plan.weights == pytest.approx([0.75, 0.25], abs=1e-4)
    assert plan.consistency_ratio == 0.0


def test_weighted_sum_defaults_to_values_and_weights_normalise():
    req = parse_requirements({"method": "weighted_sum", "criteria": [
        {"column": "airports_km", "direction": "cost", "weight": 3},
        {"column": "catchment_labour_active", "direction": "benefit"}]})
    assert req.normalization == "values"  # value functions (issue 12)
    assert resolve(req, COLUMNS).weights == pytest.approx([0.75, 0.25])


def test_unknown_column_suggests_the_closest_names():
    error = _error({"criteria": [{"column": "rent_mad", "direction": "cost"}],
                    "constraints": [{"column": "airport_km", "op": "<", "value": 9}]},
                   columns=COLUMNS, source="bpo.yaml")
    text = str(error)
    assert "bpo.yaml" in text
    assert "criteria[0].column: unknown column 'rent_mad'; did you mean rent_mad_m2_month?" in text
    assert "constraints[0].column: unknown column 'airport_km'; did you mean airports_km?" in text
    assert len(error.details) == 2


def test_unknown_ahp_column_is_named():
    error = _error({"ahp": {"criteria": ["airports_km", "airprts"], "matrix": [[1, 2], [0.5, 1]]}},
                   columns=COLUMNS)
    assert "ahp.criteria[1]: unknown column 'airprts'; did you mean airports_km?" in error.details


def test_unknown_operator_and_method_and_direction():
    error = _error({"method": "electre",
                    "constraints": [{"column": "airports_km", "op": "=<", "value": 3}],
                    "criteria": [{"column": "airports_km", "direction": "lower"}]})
    details = "\n".join(error.details)
    assert "method: unknown value 'electre'; expected one of 'topsis' or 'weighted_sum'" in details
    assert "constraints[0].op (column airports_km): unknown value '=<'" in details
    assert "'not in'" in details  # lists the operators
    assert "criteria[0].direction (column airports_km): unknown value 'lower'" in details


def test_negative_weight_names_the_field():
    error = _error({"criteria": [{"column": "airports_km", "direction": "cost", "weight": -2}]})
    assert error.details == [
        "criteria[0].weight (column airports_km): must be a number >= 0 (got -2.0); weights "
        "are relative importances"
    ]


def test_all_zero_weights_refused():
    error = _error({"criteria": [
        {"column": "airports_km", "direction": "cost", "weight": 0},
        {"column": "rent_mad_m2_month", "direction": "cost", "weight": 0}]})
    assert "every weight is 0" in str(error)


def test_every_problem_is_collected():
    error = _error({"methd": "topsis", "headcount": -3, "activity": "xyz",
                    "criteria": [{"column": "a", "direction": "cost", "weight": -1}],
                    "constraints": [{"column": "b", "op": "<", "value": "cheap"}]})
    assert len(error.details) == 5
    assert error.message.startswith("requirements: 5 problems")
    joined = "\n".join(error.details)
    assert "methd: unknown key (did you mean method?)" in joined
    assert "headcount" in joined and "activity: unknown value 'XYZ'" in joined
    assert "'<' compares numbers but value is 'cheap'" in joined


def test_ahp_not_square():
    error = _error({"ahp": {"criteria": ["a", "b", "c"], "matrix": [[1, 2], [0.5, 1]]}})
    assert "ahp.matrix must be square, 3 x 3" in str(error)


def test_ahp_not_positive():
    error = _error({"ahp": {"criteria": ["a", "b"], "matrix": [[1, -2], [0.5, 1]]}})
    assert "ahp.matrix must be positive: matrix[0][1] is -2" in str(error)


def test_ahp_not_reciprocal_but_rounded_fractions_pass():
    error = _error({"ahp": {"criteria": ["a", "b"], "matrix": [[1, 3], [0.5, 1]]}})
    assert "not reciprocal: matrix[1][0] is 0.5 but 1/matrix[0][1] is 0.3333" in str(error)
    parse_requirements({"ahp": {"criteria": ["a", "b"], "matrix": [[1, 3], [0.3333, 1]]}})


# Saaty's three criteria that contradict each other: a > b, b > c, c > a.
CYCLE = [[1, 3, 1 / 5], [1 / 3, 1, 3], [5, 1 / 3, 1]]


def test_inconsistent_ahp_refused_with_the_amount():
    error = _error({"ahp": {"criteria": ["a", "b", "c"], "matrix": CYCLE}})
    text = str(error)
    assert "ahp.matrix is inconsistent: its consistency ratio is" in text
    assert "times the 0.10 that Saaty accepts" in text
    assert "allow_inconsistent" in text


def test_inconsistent_ahp_accepted_when_allowed_with_a_warning():
    req = parse_requirements({
        "criteria": [{"column": c, "direction": "benefit"} for c in ("a", "b", "c")],
        "ahp": {"criteria": ["a", "b", "c"], "matrix": CYCLE, "allow_inconsistent": True}})
    plan = resolve(req, ["a", "b", "c"])
    assert plan.consistency_ratio > 0.10
    assert any("inconsistent" in w for w in plan.warnings)
    assert sum(plan.weights) == pytest.approx(1.0)


def test_ahp_column_without_direction_refused():
    req = parse_requirements({
        "criteria": [{"column": "a", "direction": "cost"}],
        "ahp": {"criteria": ["a", "b"], "matrix": [[1, 2], [0.5, 1]]}})
    with pytest.raises(RequirementsError, match="ahp.criteria names b, which no criterion defines"):
        resolve(req, ["a", "b"])


def test_yaml_syntax_error_names_its_line():
    text = "name: x\ncriteria:\n  - {column: a, direction: cost\n  - {column: b}\n"
    with pytest.raises(RequirementsError) as info:
        parse_requirements_text(text, source="bad.yaml")
    assert str(info.value).startswith("bad.yaml, line 4, column ")
    assert "YAML syntax error" in str(info.value)


def test_json_syntax_error_names_its_line():
    with pytest.raises(RequirementsError, match=r"req.json, line 2, column \d+: JSON syntax error"):
        parse_requirements_text('{"name": "x",\n "criteria": [}\n', source="req.json")


def test_json_text_parses():
    assert parse_requirements_text('{"activity": "CRM"}') == {"activity": "CRM"}
    assert parse_requirements_text("{activity: CRM}") == {"activity": "CRM"}  # YAML flow


@pytest.mark.parametrize("text, expected", [("", "is empty"), ("- a\n- b\n", "must be a mapping")])
def test_empty_or_non_mapping_file(text, expected):
    with pytest.raises(RequirementsError, match=expected):
        parse_requirements_text(text, source="r.yaml")


def test_non_mapping_data_refused():
    with pytest.raises(RequirementsError, match="must be a mapping"):
        parse_requirements(["criteria"])  # type: ignore[arg-type]


def test_duplicate_criteria_refused():
    error = _error({"criteria": [{"column": "a", "direction": "cost"},
                                 {"column": "a", "direction": "benefit"}]})
    assert "a appear more than once" in str(error)


def test_constraint_value_shapes():
    assert "takes one value, not a list" in str(
        _error({"constraints": [{"column": "status", "op": "==", "value": ["a", "b"]}]}))
    assert "needs at least one value" in str(
        _error({"constraints": [{"column": "status", "op": "in", "value": []}]}))


def test_robustness_draws_bounded():
    error = _error({"robustness": {"draws": settings.MAX_ROBUSTNESS_DRAWS + 1}})
    assert "robustness.draws" in str(error)


def test_requirements_json_schema_for_the_api():
    schema = Requirements.model_json_schema()
    assert "criteria" in schema["properties"] and schema["additionalProperties"] is False


def test_floor_area_from_headcount_only_when_available_m2_exists():
    req = parse_requirements({"headcount": 50, "criteria": [
        {"column": "airports_km", "direction": "cost"}]})
    plan = resolve(req, COLUMNS)
    floor = [c for c in plan.constraints if c.column == "available_m2"]
    assert floor and floor[0].value == 50 * settings.M2_PER_SEAT and floor[0].missing == "ignore"
    assert any("m² per seat" in a for a in plan.assumptions)
    plan = resolve(req, ["airports_km"])
    assert plan.constraints == []
    assert any("was not checked" in w for w in plan.warnings)


def test_explicit_floor_area_wins_over_headcount():
    req = parse_requirements({"headcount": 50, "floor_area_m2": 1000,
                              "criteria": [{"column": "airports_km", "direction": "cost"}]})
    assert resolve(req, COLUMNS).constraints[0].value == 1000


@pytest.mark.parametrize("value", [None, [{"x": 1}], True])
def test_constraint_value_of_the_wrong_kind_is_one_clear_problem(value):
    error = _error({"constraints": [{"column": "a", "op": "==", "value": value}]})
    assert error.details == [
        f"constraints[0].value (column a): value must be a number, a text, or a list of them "
        f"(got {value!r})"
    ]


def test_unknown_keys_are_named_at_any_depth():
    error = _error({"strategy": 1, "criteria": [{"column": "a", "direction": "cost",
                                                 "interest": 2}]})
    assert len(error.details) == 2
    assert any(d.startswith("strategy: unknown key; allowed keys: name, activity")
               for d in error.details)
    assert "criteria[0].interest (column a): unknown key" in error.details


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), [1.0, float("inf")]])
def test_constraint_value_must_be_finite(value):
    """JSON's 1e400 parses as infinity: refused with the field path, never a crash downstream."""
    with pytest.raises(RequirementsError) as info:
        parse_requirements(
            {"constraints": [{"column": "rent_mad_m2_month", "op": "<=" if not isinstance(value, list) else "in", "value": value}],
             "criteria": [{"column": "airports_km", "direction": "cost"}]}
        )
    assert "constraints[0]" in str(info.value) and "finite" in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [
    (0, "max_fact_age_years: Input should be greater than 0 (got 0)"),
    (-5, "max_fact_age_years: Input should be greater than 0 (got -5)"),
    ("5", "max_fact_age_years: Input should be a valid number (got '5')"),
    (True, "max_fact_age_years: Input should be a valid number (got True)"),
    (5000, "max_fact_age_years: Input should be less than or equal to 1000 (got 5000)"),
])
def test_max_fact_age_years_is_a_positive_number(value, expected):
    from matching.requirements import parse_requirements

    criteria = [{"column": "airports_km", "direction": "cost"}]
    with pytest.raises(RequirementsError) as raised:
        parse_requirements({"criteria": criteria, "max_fact_age_years": value}, source="r.yaml")
    assert expected in str(raised.value) and "r.yaml" in str(raised.value)
    assert parse_requirements({"criteria": criteria}).max_fact_age_years is None  # default 5
    assert parse_requirements({"criteria": criteria, "max_fact_age_years": 2.5}
                              ).max_fact_age_years == 2.5
