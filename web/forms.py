"""The HTML forms (Flask-WTF: every one carries a CSRF token) and the match form's mapping to a
requirements document of the requirements contract."""

from __future__ import annotations

import decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from matching.incentives import DERIVED_COLUMNS, ZONE_CLASS_COLUMN
from web.i18n import _, _l, column_label

ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
WEIGHT_CHOICES = [SelectChoice("", _l("preset")), SelectChoice("0", _l("0 (ignore)"))] + [
    SelectChoice(str(w)) for w in range(1, 6)
]

#: value functions the form offers (matching/values.py); "" keeps the preset's (else linear).
#: threshold needs a floor and a target: a requirements document sets it
VALUE_CHOICES = [SelectChoice("", _l("preset")), SelectChoice("linear", _l("linear")),
                 SelectChoice("log", _l("logarithmic"))]
#: the value-function select of each weighted criterion (languages: both language columns)
VALUE_FIELDS = {"weight_labour": "value_labour", "weight_rent": "value_rent",
                "weight_airport": "value_airport", "weight_universities": "value_universities",
                "weight_languages": "value_languages"}

#: the form's weighted criteria: field name -> (column, direction, missing)
FORM_CRITERIA: dict[str, tuple[str, str, str]] = {
    "weight_labour": ("catchment_labour_active", "benefit", "exclude"),
    "weight_rent": ("rent_mad_m2_month", "cost", "worst"),
    "weight_airport": ("airports_km", "cost", "exclude"),
    "weight_universities": ("universities_km", "cost", "exclude"),
}
LANGUAGE_COLUMNS = {
    "french": "catchment_french_literate_pct",
    "english": "catchment_english_literate_pct",
}
#: the form's limits that keep a zone whose value is unknown or out of date (flagged "not
#: checked"): rent is published for few zones, and dated; the floor space (from the headcount,
#: matching.requirements.resolve) is kept the same way. Files and the API exclude by default.
FORM_IGNORE_MISSING = frozenset({"rent_mad_m2_month"})
#: the largest limits the form takes (far above any real rent or distance in Morocco)
MAX_RENT_MAD_M2_MONTH = 100_000
MAX_AIRPORT_KM = 20_000
#: weights used when neither an activity nor any weight is given
DEFAULT_WEIGHTS = {"weight_labour": 5, "weight_rent": 3, "weight_airport": 3, "weight_universities": 2, "weight_languages": 3}


def no_control_characters(form: FlaskForm, field: Any) -> None:
    """Refuse NUL and other control characters (PostgreSQL refuses NUL; none belongs in a name)."""
    text = field.data or ""
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise ValidationError(_("contains a control character; remove it"))


class FiniteDecimalField(DecimalField):
    """A :class:`~wtforms.DecimalField` that refuses ``NaN``, ``sNaN`` and the infinities.

    ``decimal.Decimal`` reads them all; a signalling NaN then makes ``NumberRange`` raise a
    ``ValueError`` (a 500) instead of a field error. Refused here, they are "Not a valid
    decimal value", as any other text that is not a number.
    """

    data: decimal.Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])


class InquiryForm(FlaskForm):
    name = StringField(
        _l("Your name"), validators=[InputRequired(), Length(max=200), no_control_characters]
    )
    email = EmailField(
        _l("Email"), validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    message = TextAreaField(
        _l("Message"), validators=[Optional(), Length(max=5000), no_control_characters]
    )


class ActionForm(FlaskForm):
    """A button that changes state (logout, revoke): only the CSRF token."""


class RequirementsForm(FlaskForm):
    """Carries a computed requirement to save or export it."""

    requirements = HiddenField(validators=[InputRequired(), Length(max=200_000)])


class MatchForm(FlaskForm):
    name = StringField(_l("Project or investor"), validators=[Optional(), Length(max=200)])
    activity = SelectField(
        _l("Activity preset"),
        choices=[SelectChoice("", _l("none"))] + [SelectChoice(a) for a in ACTIVITIES],
        default="",
        validate_choice=True,
    )
    headcount = IntegerField(_l("Headcount"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    # finite and bounded: 1e400 (infinity as a float), NaN and sNaN stay out of the requirement
    max_rent = FiniteDecimalField(
        _l("Budget: maximum rent (MAD/m²/month)"),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=MAX_RENT_MAD_M2_MONTH)],
    )
    max_airport_km = FiniteDecimalField(
        _l("Maximum distance to an airport (km)"),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=MAX_AIRPORT_KM)],
    )
    french = BooleanField(_l("French"))
    english = BooleanField(_l("English"))
    weight_labour = SelectField(_l("Labour force"), choices=WEIGHT_CHOICES, default="")
    weight_rent = SelectField(_l("Rent"), choices=WEIGHT_CHOICES, default="")
    weight_airport = SelectField(_l("Airport access"), choices=WEIGHT_CHOICES, default="")
    weight_universities = SelectField(_l("Universities nearby"), choices=WEIGHT_CHOICES, default="")
    weight_languages = SelectField(_l("Languages"), choices=WEIGHT_CHOICES, default="")
    value_labour = SelectField(_l("Labour force"), choices=VALUE_CHOICES, default="")
    value_rent = SelectField(_l("Rent"), choices=VALUE_CHOICES, default="")
    value_airport = SelectField(_l("Airport access"), choices=VALUE_CHOICES, default="")
    value_universities = SelectField(_l("Universities nearby"), choices=VALUE_CHOICES, default="")
    value_languages = SelectField(_l("Languages"), choices=VALUE_CHOICES, default="")
    requirements_text = TextAreaField(
        _l("Or paste a requirements document (YAML or JSON)"),
        validators=[Optional(), Length(max=100_000)],
    )

    def validate_weight_languages(self, field: SelectField) -> None:
        """A languages weight scores the ticked languages: with none ticked it scores nothing."""
        if field.data not in ("", None, "0") and not (self.french.data or self.english.data):
            raise ValidationError(
                _("a weight is set but no language is ticked: tick French or English, or set no weight")
            )


def available_columns(columns: list[str]) -> set[str]:
    """The columns a requirement may name on a dataset with ``columns``: its own, plus the
    incentive estimates the shortlist derives from ``incentive_zone_class`` (as
    :func:`matching.requirements.parse_requirements` counts them).

    >>> sorted(available_columns(["incentive_zone_class"]))[:2]
    ['incentive_ir_cap_pct', 'incentive_mad_per_job']
    >>> available_columns(["rent_mad_m2_month"])
    {'rent_mad_m2_month'}
    """
    available = set(columns)
    if ZONE_CLASS_COLUMN in available:
        available.update(DERIVED_COLUMNS)
    return available


def requirements_from_form(
    form: MatchForm, *, columns: list[str], preset: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Turn the match form into a requirements document, and notes on what was left out.

    Criteria and constraints on columns this dataset lacks are left out (and said so), so the
    form works on any dataset; the incentive estimates count as present when the zones have
    ``incentive_zone_class``. ``preset`` holds the activity preset's ``constraints`` and
    ``criteria`` (plain dicts): the form's own constraints are added to the preset's, and its
    weights, when any is given, replace the preset's criteria.
    """
    notes: list[str] = []
    available = available_columns(columns)
    doc: dict[str, Any] = {"name": form.name.data.strip()} if (form.name.data or "").strip() else {}
    if form.activity.data:
        doc["activity"] = form.activity.data
    if form.headcount.data:
        doc["headcount"] = int(form.headcount.data)

    constraints: list[dict[str, Any]] = []
    for value, column in ((form.max_rent.data, "rent_mad_m2_month"), (form.max_airport_km.data, "airports_km")):
        if value is None:
            continue
        if column in available:
            constraint: dict[str, Any] = {"column": column, "op": "<=", "value": float(value)}
            if column in FORM_IGNORE_MISSING:  # unknown or stale rent: kept, flagged, not hidden
                constraint["missing"] = "ignore"
            constraints.append(constraint)
        else:
            notes.append(_("%(column)s is not in this dataset: its limit was left out", column=column_label(column)))
    if constraints:
        # an explicit list replaces the preset's: keep the preset's limits this dataset can check
        kept = []
        for constraint in (preset or {}).get("constraints", []):
            if constraint.get("column") in available:
                kept.append(constraint)
            else:
                notes.append(_("%(column)s is not in this dataset: its limit was left out",
                               column=column_label(str(constraint.get("column")))))
        doc["constraints"] = kept + constraints

    weight_fields = list(FORM_CRITERIA) + ["weight_languages"]
    given = {f: getattr(form, f).data for f in weight_fields if getattr(form, f).data not in ("", None)}
    if not given and not form.activity.data:
        given = {f: str(w) for f, w in DEFAULT_WEIGHTS.items()}
    languages = [lang for lang in LANGUAGE_COLUMNS if getattr(form, lang).data]
    if given or (languages and not form.activity.data):
        criteria: list[dict[str, Any]] = []
        for field_name, (column, direction, missing) in FORM_CRITERIA.items():
            weight = int(given.get(field_name, "0"))
            if weight <= 0:
                continue
            if column not in available:
                notes.append(_("%(column)s is not in this dataset: it was not scored", column=column_label(column)))
                continue
            criteria.append({"column": column, "direction": direction, "weight": weight, "missing": missing})
        language_weight = int(given.get("weight_languages", "3" if languages else "0"))
        for lang in languages:
            column = LANGUAGE_COLUMNS[lang]
            if language_weight <= 0:
                break
            if column not in available:
                notes.append(_("%(column)s is not in this dataset: it was not scored", column=column_label(column)))
                continue
            criteria.append({"column": column, "direction": "benefit", "weight": language_weight, "missing": "worst"})
        doc["criteria"] = criteria
    elif languages:
        criteria = []
        for criterion in (preset or {}).get("criteria", []):
            if criterion.get("column") in available:
                criteria.append(criterion)
            else:
                notes.append(_("%(column)s is not in this dataset: it was not scored", column=column_label(str(criterion.get("column")))))
        scored = {c.get("column") for c in criteria}
        for lang in languages:
            column = LANGUAGE_COLUMNS[lang]
            if column not in available:
                notes.append(_("%(column)s is not in this dataset: it was not scored", column=column_label(column)))
            elif column not in scored:
                criteria.append({"column": column, "direction": "benefit", "weight": 3, "missing": "worst"})
        doc["criteria"] = criteria
    _apply_value_choices(form, doc, preset, available)
    return doc, list(dict.fromkeys(notes))  # each note once


def _apply_value_choices(form: MatchForm, doc: dict[str, Any], preset: dict[str, Any] | None,
                         available: set[str]) -> None:
    """Give the form's criteria the preset's value function of their column (the default), or
    the one chosen in the form; a choice with the preset's criteria copies them first."""
    columns = {field: ([FORM_CRITERIA[field][0]] if field in FORM_CRITERIA
                       else list(LANGUAGE_COLUMNS.values())) for field in VALUE_FIELDS}
    chosen = {column: getattr(form, VALUE_FIELDS[field]).data
              for field, cols in columns.items() for column in cols
              if getattr(form, VALUE_FIELDS[field]).data}
    if chosen and "criteria" not in doc:
        doc["criteria"] = [dict(c) for c in (preset or {}).get("criteria", [])
                           if c.get("column") in available]
    by_column = {c.get("column"): c for c in (preset or {}).get("criteria", [])}
    for criterion in doc.get("criteria", []):
        column = criterion.get("column")
        preset_entry = by_column.get(column, {})
        if column in chosen:
            criterion["value"] = chosen[column]
            criterion.pop("floor", None)
            criterion.pop("target", None)
        elif "value" not in criterion and "value" in preset_entry:
            criterion.update({k: preset_entry[k] for k in ("value", "floor", "target")
                              if k in preset_entry})
