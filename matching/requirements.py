"""The requirements of an investor: schema, parsing, validation and resolution into a plan.

A requirement (YAML or JSON; the command line, the JSON API and the web form share it) says
which zones are acceptable (hard ``constraints``) and how to rank them (soft ``criteria`` with a
direction and a weight, or an ``ahp`` pairwise matrix), with the scoring ``method``. The
contract is in ``DESIGN.md`` ("Requirements contract"); ``docs/requirements.md`` is the user
guide.

- :func:`parse_requirements_text` reads YAML or JSON text into a dict (a syntax error names its
  line);
- :func:`parse_requirements` validates a dict into a :class:`Requirements` (pydantic models
  that refuse unknown keys, except ``about``), collecting every problem with its field path;
- :func:`resolve` turns a :class:`Requirements` and the columns of a dataset into a
  :class:`Plan`: the activity preset filled in, the floor-area constraint added, the weights
  normalised (or taken from the AHP matrix), and the warnings and assumptions to report.

Examples
--------
>>> req = parse_requirements({"criteria": [{"column": "rent_mad_m2_month",
...                                         "direction": "cost", "weight": 2}]})
>>> req.method, req.normalization
('topsis', 'values')
>>> parse_requirements({"method": "electre"})
Traceback (most recent call last):
...
matching.errors.RequirementsError: requirements: 1 problem; fix it and try again.
  - method: unknown value 'electre'; expected one of 'topsis' or 'weighted_sum'

One module because the pydantic models are the requirements' shape, validator and JSON
schema at once (as the contract asks), and their cross-field checks (an AHP matrix against the
criteria, value functions against directions, limits against columns) need the whole model;
splitting the models from their checks would let one change without the other.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from matching import presets, settings
from matching.errors import RequirementsError
from matching.incentives import DERIVED_COLUMNS, ZONE_CLASS_COLUMN
from matching.mcda import ahp_weights
from matching.messages import Message, message

__all__ = [
    "ACTIVITIES",
    "MAX_CONSTRAINTS",
    "MAX_CRITERIA",
    "MAX_NESTING_DEPTH",
    "MAX_TEXT",
    "MAX_VALUES",
    "OPERATORS",
    "Ahp",
    "Constraint",
    "Criterion",
    "Plan",
    "Requirements",
    "Robustness",
    "check_nesting",
    "parse_requirements",
    "parse_requirements_text",
    "resolve",
]

ACTIVITIES: tuple[str, ...] = ("ITO", "CRM", "BPO", "ESO", "KPO")
OPERATORS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "!=", "in", "not in")
ORDER_OPERATORS: frozenset[str] = frozenset({"<", "<=", ">", ">="})
#: ``values``: each criterion through its value function (:mod:`matching.values`) first; the
#: other normalisations are the published ones, kept to reproduce published examples.
DEFAULT_NORMALIZATION: dict[str, str] = {"topsis": "values", "weighted_sum": "values"}
#: Relative tolerance of the AHP reciprocity check (so 1/3 may be written 0.3333).
AHP_RECIPROCAL_RTOL: float = 1e-3
#: Saaty's threshold on the consistency ratio.
AHP_MAX_CONSISTENCY_RATIO: float = 0.10
#: Column that a floor area is checked against, when the dataset has it.
AVAILABLE_COLUMN: str = "available_m2"

# Input limits (docs/requirements.md, "Input limits"): far above any real requirement, low
# enough that no anonymous request can make parsing or validation slow.
#: Deepest nesting of a document: the contract's deepest part, ``ahp.matrix``, is 4 levels.
MAX_NESTING_DEPTH: int = 32
#: Most entries of ``criteria`` and of ``ahp.criteria`` (and rows of ``ahp.matrix``).
MAX_CRITERIA: int = 100
#: Most entries of ``constraints``.
MAX_CONSTRAINTS: int = 100
#: Most values of one ``in`` / ``not in`` constraint (every excluded zone's reason lists them).
MAX_VALUES: int = 100
#: Most characters of a text value of a constraint, and of ``name`` (the store keeps 500).
MAX_TEXT: int = 500
#: Most problems listed in one error (the rest are counted).
MAX_PROBLEMS_LISTED: int = 50

Scalar = int | float | str


def _shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to about ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...{text[-8:]} ({len(text):,} characters)"


def _too_large(value: Any) -> bool:
    """A whole number beyond a float's range (10**309): it cannot be compared with a column."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max


def _scalar_or_list(value: Any) -> Any:
    """One clear message for a constraint value of the wrong kind (instead of one per type)."""
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_VALUES:
        raise ValueError(f"at most {MAX_VALUES} values, not {len(items):,}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):
            raise ValueError(
                f"value must be a number, a text, or a list of them (got {_shorten(repr(value))})"
            )
        if isinstance(item, str) and len(item) > MAX_TEXT:
            raise ValueError(f"a text value holds at most {MAX_TEXT} characters, not {len(item):,}")
        if _too_large(item):
            raise ValueError(
                f"{len(str(abs(item)))}-digit number is too large to compare; give a number "  # type: ignore[arg-type]
                "below 1e308"
            )
    return value


ConstraintValue = Annotated[Scalar | list[Scalar], BeforeValidator(_scalar_or_list)]


class _RefusedYaml(yaml.MarkedYAMLError):
    """A YAML construct that requirements refuse (an alias, too deep a nesting...): not a
    syntax error, so its message says what to do instead."""


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader, reading ``3e3`` and ``7e-06`` as numbers (YAML 1.2 and JSON do;
    YAML 1.1 wants a dot), and keeping to what JSON can say.

    It refuses anchors and aliases (``&a`` / ``*a``: a few hundred characters of nested aliases
    expand into billions of values, the "billion laughs"), nesting deeper than
    :data:`MAX_NESTING_DEPTH` (checked while composing, before any recursion gets deep), the
    tags of values JSON has no word for (``!!set``, ``!!binary``, ``!!omap``, ``!!pairs``,
    ``!!timestamp``), and reads dates as text (YAML 1.2's core schema has no dates).
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _RefusedYaml(
                problem=f"YAML anchors and aliases (here {sign}{event.anchor}) are not accepted "
                "in requirements, as they can expand a short text into a huge document; write "
                "each value out in full",
                problem_mark=event.start_mark,
            )
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._depth += 1
            if self._depth > MAX_NESTING_DEPTH:
                raise _RefusedYaml(
                    problem=f"nested more than {MAX_NESTING_DEPTH} levels deep (lists and "
                    "mappings inside each other); requirements need at most 4 levels",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python reads at most 4300 digits
            raise _RefusedYaml(
                problem=f"the number {_shorten(str(node.value))} is too long to read; give a "
                "number below 1e308",
                problem_mark=node.start_mark,
            ) from None

    def _refuse_tag(self, node: yaml.Node) -> Any:
        raise _RefusedYaml(
            problem=f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not "
            "accepted: requirements hold only text, numbers, true/false, null, lists and "
            "mappings (as JSON does)",
            problem_mark=node.start_mark,
        )


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)
for _tag in ("set", "binary", "omap", "pairs", "timestamp"):
    _Yaml12Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Yaml12Loader._refuse_tag)
# no implicit dates: "2025-01-01" stays the text it is in JSON
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def load_yaml(text: str) -> Any:
    """Parse YAML text with :class:`_Yaml12Loader` (safe; numbers as in YAML 1.2).

    >>> load_yaml("floor_area_m2: 3e3\\nweight: 7e-06")
    {'floor_area_m2': 3000.0, 'weight': 7e-06}
    """
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 (a SafeLoader subclass)


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 400.0 is the whole number 400 (strict mode refuses the float)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


#: A whole number, accepting an integral float such as 400.0 (never a bool or a string).
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class _Model(BaseModel):
    # strict: a JSON true is not a headcount of 1, nor the string "3" a weight
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, strict=True, allow_inf_nan=False
    )


class Constraint(_Model):
    """A hard constraint: a zone failing it is excluded, with the reason.

    ``in`` / ``not in`` compare text case-insensitively and treat a ``;``-separated cell (such
    as ``activities: ITO;CRM``) as the list of its items: ``in`` passes when any item is one of
    the values, ``not in`` when none is. ``missing`` says what a missing value does:
    ``exclude`` (the default) or ``ignore`` (the zone passes and its explanation says the
    constraint was not checked).
    """

    column: Annotated[str, Field(min_length=1, description="A column of the zones.")]
    op: Literal["<", "<=", ">", ">=", "==", "!=", "in", "not in"]
    value: ConstraintValue
    missing: Literal["exclude", "ignore"] = "exclude"

    @model_validator(mode="after")
    def _value_fits_op(self) -> Constraint:
        if self.op in ORDER_OPERATORS and (
            isinstance(self.value, (str, list)) or isinstance(self.value, bool)
        ):
            raise ValueError(
                f"'{self.op}' compares numbers but value is {self.value!r}; give a number "
                "(or use 'in' / '==' for text)"
            )
        values = self.value if isinstance(self.value, list) else [self.value]
        for value in values:
            if isinstance(value, float) and not np.isfinite(value):
                raise ValueError(f"value must be a finite number (got {value!r})")
        if self.op in ("==", "!=") and isinstance(self.value, list):
            raise ValueError(f"'{self.op}' takes one value, not a list; use 'in' or 'not in'")
        if isinstance(self.value, list) and not self.value:
            raise ValueError(f"'{self.op}' needs at least one value")
        return self


class Criterion(_Model):
    """A soft criterion: a zone's value of ``column`` counts for (``benefit``) or against
    (``cost``) its score, with a relative ``weight`` (default 1; ignored under ``ahp``)."""

    column: Annotated[str, Field(min_length=1, description="A numeric column of the zones.")]
    direction: Literal["benefit", "cost"] = Field(
        description="benefit: more is better; cost: less is better.")
    weight: float | None = Field(None, description="Relative weight >= 0 (default 1).")
    missing: Literal["exclude", "worst"] = Field(
        "exclude", description="exclude the zone, or score it as the worst observed value.")
    value: Literal["linear", "log", "threshold", "none"] | None = Field(
        None, description="Value function turning the column into 0-1 before weighting: linear "
        "over the ranked zones (the default), log (counts), threshold (floor and target), none "
        "(already 0-1).")
    floor: float | None = Field(
        None, description="threshold only: the value worth nothing (worst acceptable).")
    target: float | None = Field(
        None, description="threshold only: the value worth full marks (and anything better).")

    @model_validator(mode="after")
    def _threshold_bounds(self) -> Criterion:
        bounds = {"floor": self.floor, "target": self.target}
        for name, bound in bounds.items():
            if bound is not None and not np.isfinite(bound):
                raise ValueError(f"{name} must be a finite number (got {bound})")
        if self.value != "threshold":
            given = [name for name, bound in bounds.items() if bound is not None]
            if given:
                verb = "apply" if len(given) > 1 else "applies"
                raise ValueError(f"{' and '.join(given)} {verb} only to value: threshold "
                                 f"(value is {self.value or 'linear'}); remove "
                                 f"{'them' if len(given) > 1 else 'it'} or set value: threshold")
            return self
        if self.floor is None or self.target is None:
            absent = " and ".join(name for name, bound in bounds.items() if bound is None)
            raise ValueError(f"value threshold needs {absent}: floor is worth 0 (the worst "
                             "acceptable value), target is worth 1")
        if self.floor == self.target:
            raise ValueError(f"floor and target are both {self.floor:g}; give two different "
                             "values (floor worth 0, target worth 1)")
        if (self.direction == "benefit") != (self.target > self.floor):
            more = "above" if self.direction == "benefit" else "below"
            raise ValueError(f"a {self.direction} criterion's target must be {more} its floor "
                             f"(got floor {self.floor:g}, target {self.target:g}): the floor is "
                             "the worst acceptable value, the target the best needed")
        return self

    @field_validator("weight")
    @classmethod
    def _weight_not_negative(cls, weight: float | None) -> float | None:
        if weight is not None and (not np.isfinite(weight) or weight < 0):
            raise ValueError(
                f"must be a number >= 0 (got {weight}); weights are relative importances"
            )
        return weight


class Ahp(_Model):
    """Weights from a pairwise-comparison matrix (Saaty): ``matrix[i][j]`` says how much more
    ``criteria[i]`` matters than ``criteria[j]`` (1 to 9), ``matrix[j][i] = 1 / matrix[i][j]``."""

    criteria: Annotated[
        list[Annotated[str, Field(min_length=1)]], Field(min_length=1, max_length=MAX_CRITERIA)
    ]
    matrix: Annotated[
        list[Annotated[list[float], Field(max_length=MAX_CRITERIA)]],
        Field(max_length=MAX_CRITERIA),
    ]
    allow_inconsistent: bool = False

    @model_validator(mode="after")
    def _valid_matrix(self) -> Ahp:
        problems = ahp_problems(self.criteria, self.matrix, self.allow_inconsistent)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Robustness(_Model):
    """Monte-Carlo weight perturbation: how many ``draws`` and the random ``seed``."""

    draws: Annotated[WholeNumber, Field(ge=0, le=settings.MAX_ROBUSTNESS_DRAWS)] = (
        settings.ROBUSTNESS_DRAWS
    )
    seed: Annotated[WholeNumber, Field(ge=0, le=2**63 - 1)] | None = 0


class Requirements(_Model):
    """An investor's requirements (the requirements contract of ``DESIGN.md``)."""

    name: Annotated[str, Field(max_length=MAX_TEXT)] | None = Field(
        None, description="Free text naming the requirement.")
    activity: Literal["ITO", "CRM", "BPO", "ESO", "KPO"] | None = Field(
        None, description="Offshoring activity line: fills its preset's constraints and criteria.")
    headcount: Annotated[WholeNumber, Field(gt=0, le=1_000_000)] | None = Field(
        None, description="New jobs (at most a million: the whole sector had 148,500 in 2024).")
    floor_area_m2: Annotated[float, Field(gt=0, le=10_000_000)] | None = Field(
        None, description="Office floor needed; default headcount x m² per seat.")
    salary_mad_month: Annotated[float, Field(gt=0, le=10_000_000)] | None = Field(
        None, description="Gross taxable monthly salary for the incentive estimate.")
    max_fact_age_years: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        None, description="A fact dated (<column>_as_of) more than this many years ago counts "
                          "as missing for the constraints; default 5.")
    constraints: Annotated[list[Constraint], Field(max_length=MAX_CONSTRAINTS)] | None = Field(
        None, description="Hard constraints; replaces the preset's when given.")
    criteria: Annotated[list[Criterion], Field(max_length=MAX_CRITERIA)] | None = Field(
        None, description="Scored criteria; replaces the preset's when given.")
    method: Literal["topsis", "weighted_sum"] = "topsis"
    normalization: Literal["values", "vector", "minmax", "sum", "none"] | None = Field(
        None, description="values (the default): each criterion's value function; vector, "
        "minmax, sum, none: the published normalisations, for reproducing examples.")
    robustness: Robustness | None = None
    ahp: Ahp | None = Field(None, description="Pairwise comparisons instead of weights.")
    about: Any = Field(None, description="Free-form, ignored by scoring.")

    @field_validator("activity", mode="before")
    @classmethod
    def _activity_upper(cls, activity: Any) -> Any:
        return activity.strip().upper() if isinstance(activity, str) else activity

    @model_validator(mode="after")
    def _defaults_and_weights(self) -> Requirements:
        if self.normalization is None:
            self.normalization = DEFAULT_NORMALIZATION[self.method]  # type: ignore[assignment]
        if self.criteria:
            counts = Counter(c.column for c in self.criteria)  # linear: lists may be long
            twice = sorted(c for c, n in counts.items() if n > 1)
            if twice:
                raise ValueError(
                    f"criteria: {', '.join(twice)} appear more than once; give each column once"
                )
        if self.criteria and self.normalization != "values":
            valued = [f"criteria[{i}].value" for i, c in enumerate(self.criteria)
                      if c.value is not None]
            if valued:
                raise ValueError(
                    f"{', '.join(valued)}: value functions apply with normalization values (the "
                    f"default); normalization {self.normalization} scores the raw columns; "
                    "remove one or the other"
                )
        if self.criteria and self.ahp is None:
            weights = [c.weight if c.weight is not None else 1.0 for c in self.criteria]
            if sum(weights) <= 0:
                raise ValueError(
                    "criteria: every weight is 0; give at least one criterion a weight > 0"
                )
        return self


def ahp_problems(criteria: Sequence[str], matrix: Sequence[Sequence[float]],
                 allow_inconsistent: bool = False) -> list[str]:
    """Every problem of an AHP block, as sentences (empty when it is valid).

    Examples
    --------
    >>> ahp_problems(["a", "b"], [[1, 3], [0.5, 1]])
    ['ahp.matrix is not reciprocal: matrix[1][0] is 0.5 but 1/matrix[0][1] is 0.3333 ...']
    """
    problems: list[str] = []
    n = len(criteria)
    counts = Counter(criteria)  # linear: a quadratic count was 8 s of CPU for 62,000 names
    dupes = sorted(c for c, k in counts.items() if k > 1)
    if dupes:
        problems.append(f"ahp.criteria names {_shorten(', '.join(dupes), 200)} more than once")
    if len(matrix) != n or any(len(row) != len(matrix) for row in matrix):
        shape = f"{len(matrix)} rows of lengths {_shorten(str([len(row) for row in matrix]), 80)}"
        problems.append(
            f"ahp.matrix must be square, {n} x {n} (one row and column per ahp.criteria "
            f"entry), but has {shape}"
        )
        return problems
    values = np.asarray(matrix, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        i, j = np.argwhere(~(np.isfinite(values) & (values > 0)))[0]
        problems.append(
            f"ahp.matrix must be positive: matrix[{i}][{j}] is {values[i, j]:g} (use 1 to 9 "
            "for 'more important', 1/3 etc. for 'less important')"
        )
        return problems
    bad = ~np.isclose(values, 1.0 / values.T, rtol=AHP_RECIPROCAL_RTOL, atol=0.0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        if i < j:  # name the lower cell, the one usually written as a fraction
            i, j = j, i
        problems.append(
            f"ahp.matrix is not reciprocal: matrix[{i}][{j}] is {values[i, j]:g} but "
            f"1/matrix[{j}][{i}] is {1 / values[j, i]:.4g} (they must agree to a relative "
            f"{AHP_RECIPROCAL_RTOL:g}; write matrix[{i}][{j}] = 1/matrix[{j}][{i}])"
        )
        return problems
    if not np.allclose(np.diag(values), 1.0, rtol=AHP_RECIPROCAL_RTOL):
        problems.append("ahp.matrix must have 1 on its diagonal (a criterion equals itself)")
        return problems
    _, ratio = ahp_weights(values)
    if ratio > AHP_MAX_CONSISTENCY_RATIO and not allow_inconsistent:
        problems.append(
            f"ahp.matrix is inconsistent: its consistency ratio is {ratio:.3f}, "
            f"{ratio / AHP_MAX_CONSISTENCY_RATIO:.1f} times the 0.10 that Saaty accepts "
            f"(over by {ratio - AHP_MAX_CONSISTENCY_RATIO:.3f}); revise the comparisons that "
            "contradict each other, or set ahp.allow_inconsistent: true"
        )
    return problems


# ---------------------------------------------------------------------------------------
# Parsing


def _json_kind(value: Any) -> str:
    """What a parsed document is, in the words of JSON/YAML ("a list", "a number"...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def yaml_error_text(exc: yaml.MarkedYAMLError) -> str:
    """``", line L, column C: YAML syntax error: <problem>"`` for a YAML syntax error (without
    "YAML syntax error" for a construct the loader refuses, such as an alias)."""
    mark = exc.problem_mark or exc.context_mark
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = " ".join(p for p in (exc.context, exc.problem) if p)
    kind = "" if isinstance(exc, _RefusedYaml) else "YAML syntax error: "
    return f"{where}: {kind}{problem}"


def parse_requirements_text(text: str, *, source: str = "requirements") -> dict[str, Any]:
    """Read requirements written as YAML or JSON into a dict.

    Parameters
    ----------
    text
        The file's content.
    source
        What to call it in messages (a file name).

    Raises
    ------
    RequirementsError
        A syntax error (with its line and column), or a document that is not a mapping.

    Examples
    --------
    >>> parse_requirements_text("activity: BPO\\nheadcount: 400\\n")
    {'activity': 'BPO', 'headcount': 400}
    >>> parse_requirements_text("criteria: [\\n  {column: x\\n", source="req.yaml")
    Traceback (most recent call last):
    ...
    matching.errors.RequirementsError: req.yaml, line 3, column 1: YAML syntax error: ...
    """
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                try:  # a YAML flow mapping also starts with "{"
                    data = load_yaml(text)
                except _RefusedYaml:
                    raise
                except yaml.YAMLError:
                    raise RequirementsError(
                        f"{source}, line {exc.lineno}, column {exc.colno}: JSON syntax error: "
                        f"{exc.msg}. Fix the file (or write it as YAML)."
                    ) from None
        else:
            data = load_yaml(text)
    except RequirementsError:  # a ValueError: not the too-long number below
        raise
    except _RefusedYaml as exc:
        raise RequirementsError(f"{source}{yaml_error_text(exc)}.") from None
    except yaml.MarkedYAMLError as exc:
        raise RequirementsError(
            f"{source}{yaml_error_text(exc)}. Fix the file (check the "
            "indentation, quotes and brackets around that line)."
        ) from None
    except yaml.YAMLError as exc:
        raise RequirementsError(f"{source}: YAML error: {exc}") from None
    except RecursionError:  # JSON nested thousands of levels deep
        raise RequirementsError(
            f"{source} is nested more than {MAX_NESTING_DEPTH} levels deep (lists and mappings "
            "inside each other); requirements need at most 4 levels."
        ) from None
    except ValueError:  # json: an integer of more than 4300 digits
        raise RequirementsError(
            f"{source} holds a number too long to read (more than 4300 digits); give numbers "
            "below 1e308."
        ) from None
    if data is None:
        raise RequirementsError(
            f"{source} is empty; write the requirements as YAML or JSON (see docs/requirements.md)."
        )
    if not isinstance(data, dict):
        raise RequirementsError(
            f"{source} must be a mapping of keys (name, activity, constraints, criteria...), "
            f"not {_json_kind(data)}; see docs/requirements.md."
        )
    check_nesting(data, source=source)
    return data


def check_nesting(data: Any, *, source: str = "requirements",
                  limit: int = MAX_NESTING_DEPTH) -> None:
    """Refuse a document nested more than ``limit`` levels deep.

    Deeper documents cannot be a requirement (its deepest part, ``ahp.matrix``, is 4 levels),
    and they break what comes after parsing (serialisers and ``repr`` recurse). The walk is
    iterative and stops at the first node too deep, so it costs at most one visit per value.

    Raises
    ------
    RequirementsError
        Naming the path to the first level too deep (``about.a.a...``).

    Examples
    --------
    >>> check_nesting({"ahp": {"matrix": [[1, 3], [0.333, 1]]}})
    >>> check_nesting({"about": {"a": {"a": {"a": 1}}}}, source="body", limit=2)
    Traceback (most recent call last):
    ...
    matching.errors.RequirementsError: body is nested more than 2 levels deep (at about.a); ...
    """
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(data, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            children: Any = node.items()
        elif isinstance(node, (list, tuple)):
            children = enumerate(node)
        else:
            continue
        if depth > limit:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[:6])
            where = where.lstrip(".") + ("..." if len(path) > 6 else "")
            raise RequirementsError(
                f"{source} is nested more than {limit} levels deep (at {_shorten(where, 80)}); "
                "requirements need at most 4 levels (lists and mappings inside each other), "
                "`about` included: flatten it."
            )
        stack.extend(
            (child, depth + 1, path + (key,))
            for key, child in children
            if isinstance(child, (dict, list, tuple))
        )


def parse_requirements(
    data: dict[str, Any] | Requirements,
    *,
    columns: Sequence[str] | None = None,
    source: str = "requirements",
) -> Requirements:
    """Validate requirements into a :class:`Requirements`.

    Parameters
    ----------
    data
        The requirements as a dict (parsed YAML/JSON, an API body), or a :class:`Requirements`
        to check against ``columns``.
    columns
        The dataset's columns; when given, every column that a constraint, a criterion or the
        AHP block names explicitly must be one of them (presets are checked by :func:`resolve`,
        which drops what a dataset lacks). With ``incentive_zone_class`` among them, the
        incentive columns the shortlist derives (``incentive_mad_per_job``...) count as known.
    source
        What to call the requirements in messages (a file name, "request body").

    Raises
    ------
    RequirementsError
        With one detail per problem, each naming its field path (``criteria[1].weight``).
    """
    problems: list[str] = []
    requirements: Requirements | None = None
    if isinstance(data, Requirements):
        requirements = data
        raw: Any = data.model_dump(exclude_none=True)
    elif not isinstance(data, dict):
        raise RequirementsError(
            f"{source} must be a mapping of keys (name, activity, constraints, criteria...), "
            f"not {_json_kind(data)}."
        )
    else:
        check_nesting(data, source=source)  # before pydantic, whose serialiser recurses
        raw = data
        try:
            requirements = Requirements.model_validate(data)
        except ValidationError as exc:
            problems.extend(_describe(error, data)  # type: ignore[arg-type]
                            for error in exc.errors())
    if columns is not None:
        columns = list(columns)
        if ZONE_CLASS_COLUMN in columns:  # the shortlist derives the incentive columns
            columns += [c for c in DERIVED_COLUMNS if c not in columns]
        problems.extend(_column_problems(raw, columns))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        listed = problems[:MAX_PROBLEMS_LISTED]
        if len(problems) > len(listed):
            listed.append(f"... and {len(problems) - len(listed):,} more problems")
        raise RequirementsError(
            f"{source}: {count}; fix {'them' if len(problems) > 1 else 'it'} and try again.",
            details=listed,
        )
    assert requirements is not None
    return requirements


_TOP_LEVEL_KEYS = list(Requirements.model_fields)


def _path(loc: Sequence[Any], data: Any) -> str:
    """``('criteria', 1, 'weight')`` -> ``criteria[1].weight (column rent_mad_m2_month)``."""
    text, column = "", None
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
        if isinstance(node, dict) and isinstance(node.get("column"), str):
            column = node["column"]
    if column and not text.endswith(".column"):
        text += f" (column {column})"
    return text or "requirements"


_TYPE_STEP = re.compile(r"^(int|float|str|bool|list|dict|none)$|^\w+\[|constrained|^function-")


def _internal_step(part: Any) -> bool:
    """A step of pydantic's location that names a union member or validator, not a key."""
    return isinstance(part, str) and bool(_TYPE_STEP.search(part))


def _user_loc(loc: Sequence[Any], data: Any) -> list[Any]:
    """pydantic's location without its internal steps; a step that is a key of the document
    stays, whatever it looks like (a key ``"0["`` is not a union member)."""
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif _internal_step(part):
            continue
        else:
            node = None
        out.append(part)
    return out


def _describe(error: dict[str, Any], data: Any) -> str:
    """One line for one pydantic error, in the words of the requirements file."""
    loc = _user_loc(error["loc"], data)
    where = _shorten(_path(loc, data), 160)  # a key may be any text, 100 kB of it
    kind, given = error["type"], error.get("input")
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        allowed = _TOP_LEVEL_KEYS if len(loc) == 1 else None
        close = difflib.get_close_matches(key, allowed or [], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        listed = f"; allowed keys: {', '.join(k for k in allowed)}" if allowed else ""
        return f"{where}: unknown key{hint}{listed}"
    if kind == "literal_error":
        return f"{where}: unknown value {_shorten(repr(given))}; expected one of {error['ctx']['expected']}"
    if kind == "missing":
        return f"{where}: required, but missing"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "float_type" and _too_large(given):  # "not a valid number" would puzzle
        return (f"{where}: {len(str(abs(given)))}-digit number is too large; "  # type: ignore[arg-type]
                "give a number below 1e308")
    if kind in ("value_error", "assertion_error"):
        head = where.split(" ")[0]
        if where == "requirements" or message.startswith((f"{head}:", f"{head}.")):
            return message  # a model-level check already names its field
        return f"{where}: {message}"
    return f"{where}: {message} (got {_shorten(repr(given))})"


def _suggest(column: str, columns: Sequence[str]) -> str:
    close = difflib.get_close_matches(column, columns, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(close)}?"
    return "the dataset's columns are listed by `techvalley sites` and GET /api/v1/sites"


def _column_problems(raw: Any, columns: list[str]) -> list[str]:
    """Unknown columns named explicitly by the requirements (raw dict: works on invalid ones)."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return problems
    known = set(columns)
    limits = {"constraints": MAX_CONSTRAINTS, "criteria": MAX_CRITERIA}
    for kind in ("constraints", "criteria"):
        entries = raw.get(kind)
        if not isinstance(entries, list) or len(entries) > limits[kind]:
            continue  # too long a list is refused already; naming each entry would cost more
        for i, entry in enumerate(entries):
            column = entry.get("column") if isinstance(entry, dict) else None
            if isinstance(column, str) and column.strip() and column.strip() not in known:
                problems.append(
                    f"{kind}[{i}].column: unknown column {_shorten(repr(column))}; "
                    f"{_suggest(column.strip(), columns)}"
                )
    ahp = raw.get("ahp")
    if (isinstance(ahp, dict) and isinstance(ahp.get("criteria"), list)
            and len(ahp["criteria"]) <= MAX_CRITERIA):
        criteria_block = raw.get("criteria")
        explicit = {
            c.get("column") for c in criteria_block if isinstance(c, dict)
            and isinstance(c.get("column"), str)
        } if isinstance(criteria_block, list) else set()
        for i, column in enumerate(ahp["criteria"]):
            if isinstance(column, str) and column not in known and column not in explicit:
                problems.append(
                    f"ahp.criteria[{i}]: unknown column {_shorten(repr(column))}; "
                    f"{_suggest(column, columns)}"
                )
    return problems


# ---------------------------------------------------------------------------------------
# Resolution into a plan


@dataclass
class Plan:
    """What the shortlist engine applies: the requirements resolved against a dataset.

    Attributes
    ----------
    constraints, criteria
        The effective lists (explicit, or the activity preset's; plus the floor-area
        constraint), criteria only those scored.
    weights
        One weight per criterion, summing to 1.
    consistency_ratio
        The AHP consistency ratio, or ``None`` without AHP.
    floor_area_m2
        Given, or headcount x m² per seat, or ``None``.
    warning_messages, assumption_messages
        What to report in the shortlist, as messages (code and parameters).
    warnings, assumptions
        The same as English sentences (the messages' texts); a caller may add its own.
    """

    constraints: list[Constraint]
    criteria: list[Criterion]
    weights: list[float]
    consistency_ratio: float | None = None
    floor_area_m2: float | None = None
    warning_messages: list[Message] = field(default_factory=list)
    assumption_messages: list[Message] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    preset: str | None = None

    def __post_init__(self) -> None:
        if not self.warnings:
            self.warnings = [m.text for m in self.warning_messages]
        if not self.assumptions:
            self.assumptions = [m.text for m in self.assumption_messages]


def resolve(requirements: Requirements, columns: Sequence[str]) -> Plan:
    """Resolve requirements against a dataset's columns.

    The activity's preset fills the constraints and criteria the requirements leave out (an
    explicit list replaces the preset's list of the same kind); a preset entry on a column the
    dataset lacks is dropped with a warning (explicit ones were checked by
    :func:`parse_requirements`). A floor area (given, or headcount x
    :data:`matching.settings.M2_PER_SEAT`) adds ``available_m2 >= floor_area_m2`` when the
    dataset has ``available_m2``, with ``missing: ignore``: most zones publish no free floor
    area, and excluding them would hide zones an agency can still offer space in.

    Examples
    --------
    >>> req = parse_requirements({"activity": "CRM", "headcount": 100})
    >>> plan = resolve(req, ["rent_mad_m2_month", "available_m2", "catchment_labour_active"])
    >>> [c.column for c in plan.criteria], plan.floor_area_m2
    (['catchment_labour_active', 'rent_mad_m2_month'], 800.0)
    >>> [(c.column, c.op, c.value, c.missing) for c in plan.constraints]
    [('available_m2', '>=', 800.0, 'ignore')]
    """
    known = set(columns)
    warnings: list[Message] = []
    assumptions: list[Message] = []
    preset = presets.PRESETS.get(requirements.activity) if requirements.activity else None

    if requirements.constraints is not None:
        constraints = list(requirements.constraints)
    elif preset is not None:
        constraints = []
        for entry in preset["constraints"]:
            constraint = Constraint.model_validate(entry)
            if constraint.column in known:
                constraints.append(constraint)
            else:
                warnings.append(message("warning.preset_constraint_skipped",
                                        activity=requirements.activity,
                                        column=constraint.column))
    else:
        constraints = []

    if requirements.criteria is not None:
        criteria = list(requirements.criteria)
    elif preset is not None:
        criteria = []
        for entry in preset["criteria"]:
            if requirements.normalization != "values":  # a published normalisation: raw columns
                entry = {k: v for k, v in entry.items() if k not in ("value", "floor", "target")}
            criterion = Criterion.model_validate(entry)
            if criterion.column in known:
                criteria.append(criterion)
            else:
                why = ("warning.preset_criterion_no_class" if criterion.column in DERIVED_COLUMNS
                       else "warning.preset_criterion_no_column")
                warnings.append(message(why, activity=requirements.activity,
                                        column=criterion.column))
    else:
        criteria = []
    if preset is not None:
        assumptions.append(message("assumption.preset_used", activity=requirements.activity))

    floor_area = requirements.floor_area_m2
    if floor_area is None and requirements.headcount is not None:
        floor_area = requirements.headcount * settings.M2_PER_SEAT
        assumptions.append(message("assumption.floor_area_from_headcount",
                                   area=float(floor_area), headcount=requirements.headcount,
                                   m2_per_seat=float(settings.M2_PER_SEAT)))
    if floor_area is not None:
        if AVAILABLE_COLUMN in known:
            if not any(c.column == AVAILABLE_COLUMN for c in constraints):
                constraints.append(
                    Constraint(column=AVAILABLE_COLUMN, op=">=", value=float(floor_area),
                               missing="ignore")
                )
                assumptions.append(message("assumption.available_m2_needed",
                                           area=float(floor_area)))
        else:
            warnings.append(message("warning.floor_area_unchecked", area=float(floor_area)))

    consistency_ratio: float | None = None
    if requirements.ahp is not None:
        ahp = requirements.ahp
        by_column = {c.column: c for c in criteria}
        missing_entries = [c for c in ahp.criteria if c not in by_column]
        if missing_entries:
            raise RequirementsError(
                "ahp.criteria names "
                + ", ".join(missing_entries)
                + ", which no criterion defines; add each to criteria with its direction "
                "(benefit or cost)"
            )
        in_ahp = set(ahp.criteria)
        unweighted = [c.column for c in criteria if c.column not in in_ahp]
        if unweighted:
            if requirements.criteria is not None:
                raise RequirementsError(
                    "criteria "
                    + ", ".join(unweighted)
                    + " have no row in the AHP matrix; add them to ahp.criteria and ahp.matrix, "
                    "or remove them from criteria"
                )
            warnings.append(message("warning.preset_criteria_not_in_ahp", columns=unweighted))
        if any(by_column[c].weight is not None for c in ahp.criteria) and (
            requirements.criteria is not None
        ):
            warnings.append(message("warning.ahp_overrides_weights"))
        criteria = [by_column[c] for c in ahp.criteria]
        weights_array, consistency_ratio = ahp_weights(np.asarray(ahp.matrix, dtype=float))
        weights = [float(w) for w in weights_array]
        if consistency_ratio > AHP_MAX_CONSISTENCY_RATIO:
            warnings.append(message("warning.ahp_inconsistent_accepted",
                                    ratio=float(consistency_ratio)))
    else:
        raw_weights = [c.weight if c.weight is not None else 1.0 for c in criteria]
        largest = max(raw_weights, default=0.0)
        if criteria and largest <= 0:
            raise RequirementsError(
                "criteria: every remaining weight is 0; give at least one criterion a weight > 0"
            )
        # scaled by the largest first, so weights near 1e308 do not overflow their sum
        scaled = [w / largest for w in raw_weights] if criteria else []
        weights = [w / sum(scaled) for w in scaled]

    return Plan(
        constraints=constraints,
        criteria=criteria,
        weights=weights,
        consistency_ratio=consistency_ratio,
        floor_area_m2=floor_area,
        warning_messages=warnings,
        assumption_messages=assumptions,
        preset=requirements.activity if preset is not None else None,
    )
