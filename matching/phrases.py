"""The engine's sentences: each code's English template.

A shortlist carries its explanations, exclusion reasons, hint, warnings and assumptions twice:
as data, ``{"code", "params", "text"}`` (:mod:`matching.messages`), and as English sentences
(the shortlist JSON contract), the messages' texts. This module is the table of the templates
those sentences are written from: :data:`PHRASES` (an English template per key, marked with
:func:`N_` so that ``pybabel extract`` puts it in the catalogue, where its French lives) and
:data:`CODES` (the stable code of each key). :mod:`matching.i18n` renders a message in a
language from its code and parameters.

Templates use python-format slots (``%(column)s``). Some slots are fixed (:data:`FIXED`): the
English sentence names a column or a field there, which a page shows by its label.
:func:`phrase_of` recognises a sentence a template wrote, for shortlists saved before they
carried messages.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CODES", "FIXED", "PHRASES", "N_", "phrase_of", "slots_of"]


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention pybabel looks for)
    """Mark ``msgid`` for the catalogue (``pybabel extract -k N_``); returns it unchanged.

    >>> N_("Shortlist")
    'Shortlist'
    """
    return msgid


#: every sentence the engine writes in a shortlist's ``explanation``, ``reasons``, ``hint``,
#: ``warnings`` and ``assumptions``, in the ``notes`` of "investors like you" and in the
#: ``warnings`` of the suitability grid
PHRASES: dict[str, str] = {
    "strongest": N_("strongest criterion: %(column)s (%(value)s)"),
    "weakest": N_("weakest criterion: %(column)s (%(value)s)"),
    "missing_not_checked": N_("%(column)s missing: %(constraint)s not checked"),
    "missing_scored_worst": N_(
        "%(column)s missing: scored as the worst observed value (%(value)s)"
    ),
    "missing": N_("%(column)s missing"),
    "compare": N_("%(column)s %(value)s %(op)s %(limit)s"),
    "not_one_of": N_("%(column)s %(value)s is not one of %(values)s"),
    "one_of": N_("%(column)s %(value)s is one of %(values)s"),
    "list_lacks": N_("%(column)s %(items)s do not include %(alternatives)s"),
    "list_excluded": N_("%(column)s %(items)s include %(hits)s, which the requirement excludes"),
    "value_excluded": N_("%(column)s %(value)s is %(hits)s, which the requirement excludes"),
    "hint_relax": N_(
        "Relax the constraint %(constraint)s first: it excluded the most zones (%(count)s of "
        "%(total)s)."
    ),
    "hint_worst": N_(
        "Score the criterion %(column)s with missing: worst, or drop it: it excluded the most "
        "zones (%(count)s of %(total)s)."
    ),
    "no_incentive_class": N_(
        "incentives were not estimated: the dataset has no %(class_column)s column"
    ),
    "criterion_without_values": N_(
        "criterion %(column)s was dropped: no zone has a value to score"
    ),
    "criterion_no_variance": N_(
        "criterion %(column)s has the same value (%(value)s) in every ranked zone: it cannot "
        "separate them"
    ),
    "threshold_all_full": N_(
        "criterion %(column)s: every ranked zone reaches its target (%(target)s), so all get "
        "its full value: it cannot separate them and its weight changes nothing"
    ),
    "threshold_all_worthless": N_(
        "criterion %(column)s: no ranked zone does better than its floor (%(floor)s), so all get "
        "value 0: it cannot separate them and its weight changes nothing"
    ),
    "sum_of_zero": N_(
        "criterion %(column)s sums to 0 over the ranked zones: normalization 'sum' cannot scale"
        " it, so it scores 0 for every zone; use normalization 'vector' or 'minmax'"
    ),
    "sum_of_mixed_signs": N_(
        "criterion %(column)s has negative and positive values: normalization 'sum' divides by "
        "their sum, which misorders them; use 'vector' or 'minmax'"
    ),
    "preset_constraint_skipped": N_(
        "the %(activity)s preset's constraint on %(column)s was not applied: the dataset has no"
        " such column"
    ),
    "preset_criterion_no_column": N_(
        "the %(activity)s preset's criterion %(column)s was dropped: the dataset has no such "
        "column"
    ),
    "preset_criterion_no_class": N_(
        "the %(activity)s preset's criterion %(column)s was dropped: the dataset has no "
        "%(class_column)s column to estimate it"
    ),
    "floor_area_unchecked": N_(
        "the floor area (%(area)s) was not checked: the dataset has no %(area_column)s column"
    ),
    "preset_criteria_not_in_ahp": N_(
        "the preset's criteria %(columns)s are not scored: they are not in ahp.criteria"
    ),
    "ahp_overrides_weights": N_("the criteria's weights are ignored: the AHP matrix gives them"),
    "ahp_inconsistent_accepted": N_(
        "the AHP matrix is inconsistent (consistency ratio %(ratio)s > 0.10), accepted because "
        "ahp.allow_inconsistent is true"
    ),
    "grid_criterion_dropped": N_(
        "the default profile's criterion %(column)s was dropped: the grid has no such column"
    ),
    "grid_no_variance": N_("criterion %(column)s has the same value in every scored cell"),
    "grid_nothing_scored": N_("no cell meets every constraint of the profile: nothing is scored"),
    "grid_parcels_one_machine": N_(
        "parcels are cut on one machine only: run without partitions to get them"
    ),
    "parcel_name": N_("near %(town)s, %(commune)s"),
    "parcel_in_town": N_("in %(commune)s, %(province)s"),
    "parcel_as_good_as": N_(
        "scores %(score)s on this profile, as good as %(zone)s (%(zone_score)s)"
    ),
    "parcel_above_zones": N_(
        "scores %(score)s on this profile, above every existing zone (the best, %(zone)s, "
        "scores %(zone_score)s)"
    ),
    "parcel_below_zones": N_(
        "scores %(score)s on this profile, below every existing zone (the lowest, %(zone)s, "
        "scores %(zone_score)s)"
    ),
    "preset_used": N_(
        "activity %(activity)s: criteria and constraints from the preset unless given "
        "(rationale in docs/requirements.md)"
    ),
    "floor_area_from_headcount": N_(
        "floor area %(area)s = headcount %(headcount)s x %(m2_per_seat)s m² per seat"
    ),
    "available_m2_needed": N_(
        "zones need %(area_column)s %(op)s %(area)s; a zone that publishes no available floor area is "
        "kept, and its explanation says it was not checked"
    ),
    "robustness_draws": N_(
        "robustness: %(draws)s weight draws, each weight multiplied by a log-normal factor "
        "exp(%(sigma)s Z), renormalised; seed %(seed)s"
    ),
    "incentive_rules": N_("%(name)s, rules version %(version)s (in force from %(since)s)"),
    "jobs_assumed": N_(
        "%(headcount)s new stable jobs, all Moroccan recruits, kept at least %(months)s months"
    ),
    "salary_default": N_(
        "gross taxable salary %(salary)s MAD/month (default assumption: give salary_mad_month)"
    ),
    "salary_given": N_("gross taxable salary %(salary)s MAD/month"),
    "training_grant": N_(
        "training grant %(rate)s of the annual gross salary per recruit per year over %(years)s"
        " years"
    ),
    "employment_grant": N_("employment grant %(rate)s of the annual gross salary per job, once"),
    "corporate_tax_uncertain": N_(
        "up to %(rate)s of the corporate tax (IS) due; not estimated (depends on profits); "
        "uncertain: sources describe the base regime differently"
    ),
    "corporate_tax": N_(
        "up to %(rate)s of the corporate tax (IS) due; not estimated (depends on profits)"
    ),
    "activity_assumed_eligible": N_(
        "activity not given: assumed eligible (ITO, CRM, BPO, ESO or KPO)"
    ),
    "activity_not_eligible": N_("activity %(activity)s is not eligible to the offer"),
    "zone_class_unknown": N_(
        "the zone's incentive class is unknown: income-tax cap not estimated"
    ),
    "zone_class_not_in_rules": N_(
        "incentive class %(zone_class)s is not covered by the rules file: not estimated"
    ),
    "income_tax_cap": N_(
        "income-tax cap %(cap)s (%(zone_class)s), valued as the tax above the cap on the 2025 "
        "scale, over %(years)s years (the cap runs to %(until)s); it accrues to the employees"
    ),
    "median_size_assumed": N_(
        "the requirement gives no headcount or floor area: compared at the past investors' "
        "median size (%(size)s people)"
    ),
    # weight sensitivity (matching.sensitivity): who comes first past a weight's interval
    "sensitivity_below": N_(
        "%(name)s would come first if %(column)s weighed less than %(weight)s"
    ),
    "sensitivity_above": N_(
        "%(name)s would come first if %(column)s weighed more than %(weight)s"
    ),
    "sensitivity_stable": N_("%(name)s stays first whatever the weight of %(column)s"),
    # learned weights (matching.learning)
    "learning_correlated": N_(
        "criteria %(column)s and %(other_column)s move together over the decisions' zones "
        "(correlation %(ratio)s): their learned weights cannot be told apart, only their sum "
        "means something; drop one of them or read the two together"
    ),
    "learning_few_decisions": N_(
        "learned from %(count)s decisions, fewer than %(minimum)s: the weights are not reliable "
        "yet (see their confidence intervals)"
    ),
    "income_tax_computed": N_(
        "income tax computed as on a payslip: the gross salary less the employee's CNSS "
        "%(cnss_rate)s (on at most %(ceiling)s MAD/month), AMO %(amo_rate)s and professional "
        "expenses (%(low_rate)s of the gross up to %(threshold)s MAD a year, else "
        "%(expenses_rate)s, at most %(expenses_cap)s MAD a year), then the 2025 scale; at "
        "%(salary)s MAD/month the tax is %(effective_rate)s of the gross salary"
    ),
    # dated facts (<column>_as_of): older than max_fact_age_years counts as missing
    "dated": N_("%(column)s %(value)s dates from %(as_of)s"),
    "dated_excluded": N_("%(column)s %(value)s dates from %(as_of)s: out of date"),
    "dated_not_checked": N_(
        "%(column)s %(value)s dates from %(as_of)s: %(constraint)s not checked"
    ),
    "dated_ask_operator": N_(
        "%(column)s %(value)s dates from %(as_of)s: not checked, ask the operator"
    ),
    "unknown_ask_operator": N_("%(column)s unknown: not checked, ask the operator"),
    "kept_unchecked": N_(
        "%(count)s of %(total)s zones kept without checking %(constraint)s: their value is "
        "unknown or out of date"
    ),
    "fact_age": N_(
        "facts dated before %(since)s (more than %(years)s years old) count as missing for the "
        "constraints"
    ),
}

#: slots whose value is always the same (the English sentence names a column, an operator or a
#: field there): a message need not carry them, a page still shows them by their label
FIXED: dict[str, dict[str, str]] = {
    "no_incentive_class": {"class_column": "incentive_zone_class"},
    "preset_criterion_no_class": {"class_column": "incentive_zone_class"},
    "floor_area_unchecked": {"area_column": "available_m2"},
    "available_m2_needed": {"area_column": "available_m2", "op": ">="},
}

#: the stable code of each template (what a shortlist's ``messages`` carry,
#: :mod:`matching.messages`); the part before the dot names where the sentence goes
CODES: dict[str, str] = {
    "strongest": "criterion.strongest",
    "weakest": "criterion.weakest",
    "missing_not_checked": "constraint.not_checked",
    "missing_scored_worst": "criterion.scored_worst",
    "missing": "value.missing",
    "compare": "constraint.failed",
    "not_one_of": "constraint.not_one_of",
    "one_of": "constraint.one_of",
    "list_lacks": "constraint.list_lacks",
    "list_excluded": "constraint.list_excluded",
    "value_excluded": "constraint.value_excluded",
    "hint_relax": "hint.relax_constraint",
    "hint_worst": "hint.score_worst",
    "no_incentive_class": "warning.no_incentive_class",
    "criterion_without_values": "warning.criterion_without_values",
    "criterion_no_variance": "warning.criterion_no_variance",
    "threshold_all_full": "warning.threshold_all_full",
    "threshold_all_worthless": "warning.threshold_all_worthless",
    "sum_of_zero": "warning.sum_of_zero",
    "sum_of_mixed_signs": "warning.sum_of_mixed_signs",
    "preset_constraint_skipped": "warning.preset_constraint_skipped",
    "preset_criterion_no_column": "warning.preset_criterion_no_column",
    "preset_criterion_no_class": "warning.preset_criterion_no_class",
    "floor_area_unchecked": "warning.floor_area_unchecked",
    "preset_criteria_not_in_ahp": "warning.preset_criteria_not_in_ahp",
    "ahp_overrides_weights": "warning.ahp_overrides_weights",
    "ahp_inconsistent_accepted": "warning.ahp_inconsistent_accepted",
    "grid_criterion_dropped": "warning.grid_criterion_dropped",
    "grid_no_variance": "warning.grid_no_variance",
    "grid_nothing_scored": "warning.grid_nothing_scored",
    "grid_parcels_one_machine": "warning.grid_parcels_one_machine",
    "parcel_name": "parcel.name",
    "parcel_in_town": "parcel.in_town",
    "parcel_as_good_as": "parcel.as_good_as",
    "parcel_above_zones": "parcel.above_zones",
    "parcel_below_zones": "parcel.below_zones",
    "preset_used": "assumption.preset_used",
    "floor_area_from_headcount": "assumption.floor_area_from_headcount",
    "available_m2_needed": "assumption.available_m2_needed",
    "robustness_draws": "assumption.robustness_draws",
    "incentive_rules": "assumption.incentive_rules",
    "jobs_assumed": "assumption.jobs_assumed",
    "salary_default": "assumption.salary_default",
    "salary_given": "assumption.salary_given",
    "training_grant": "assumption.training_grant",
    "employment_grant": "assumption.employment_grant",
    "activity_assumed_eligible": "assumption.activity_assumed_eligible",
    "activity_not_eligible": "assumption.activity_not_eligible",
    "zone_class_unknown": "assumption.zone_class_unknown",
    "zone_class_not_in_rules": "assumption.zone_class_not_in_rules",
    "income_tax_cap": "assumption.income_tax_cap",
    "corporate_tax_uncertain": "incentive.corporate_tax_uncertain",
    "corporate_tax": "incentive.corporate_tax",
    "median_size_assumed": "neighbours.median_size_assumed",
    "sensitivity_below": "sensitivity.below",
    "sensitivity_above": "sensitivity.above",
    "sensitivity_stable": "sensitivity.stable",
    "learning_correlated": "learning.correlated_criteria",
    "learning_few_decisions": "learning.few_decisions",
    "income_tax_computed": "assumption.income_tax_computed",
    "dated": "fact.dated",
    "dated_excluded": "value.dated",
    "dated_not_checked": "constraint.dated_not_checked",
    "dated_ask_operator": "constraint.dated_ask_operator",
    "unknown_ask_operator": "constraint.unknown_ask_operator",
    "kept_unchecked": "warning.kept_unchecked",
    "fact_age": "assumption.fact_age",
}
if set(CODES) != set(PHRASES) or len(set(CODES.values())) != len(CODES):  # pragma: no cover
    raise RuntimeError("matching.phrases: every template needs one code of its own")

_SLOT = re.compile(r"%\((\w+)\)s")
# a comparison's limit is one word (a number, a quoted value): a sentence of somebody else with
# an operator in it is not taken for a comparison
_SLOT_PATTERNS = {"column": r"(?P<NAME>\S+)", "op": r"(?P<NAME><=|>=|!=|==|<|>)",
                  "limit": r"(?P<NAME>\S+)"}


def slots_of(template: str) -> list[str]:
    """The slots of a template, in order, once each.

    >>> slots_of(PHRASES["compare"])
    ['column', 'value', 'op', 'limit']
    """
    return list(dict.fromkeys(_SLOT.findall(template)))


def _pattern(key: str) -> re.Pattern[str]:
    template, fixed = PHRASES[key], FIXED.get(key, {})
    parts, last = [], 0
    for match in _SLOT.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        name = match.group(1)
        if name in fixed:
            parts.append(re.escape(fixed[name]))
        else:
            parts.append(_SLOT_PATTERNS.get(name, rf"(?P<{name}>.+?)").replace("NAME", name))
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


# longest English templates first, so that "%(column)s missing" does not take a longer
# sentence; the bare comparison last, as a sentence with words may hold an operator too
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_pattern(key), key)
    for key in sorted(PHRASES, key=lambda k: (k == "compare", -len(PHRASES[k])))
]


def phrase_of(text: str) -> tuple[str, dict[str, Any]] | None:
    """The key of the template of :data:`PHRASES` that wrote ``text``, and its slots (the
    fixed ones left out).

    >>> phrase_of("airports_km missing")
    ('missing', {'column': 'airports_km'})
    >>> phrase_of("airports_km 40 km > 30")
    ('compare', {'column': 'airports_km', 'value': '40 km', 'op': '>', 'limit': '30'})
    """
    for pattern, key in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return key, match.groupdict()
    return None
