"""The shortlist's sentences, in English and French.

A shortlist carries its explanations, exclusion reasons, hint, warnings and assumptions as
English sentences (the shortlist JSON contract), so a saved shortlist reads the same everywhere.
The engine writes each sentence with :func:`say` from a template of :data:`PHRASES`; pages and
exports in French turn it into French with :func:`translate`, which recognises the template and
fills the French one with the same slots. A sentence no template matches is returned unchanged.

Each template has a stable code (:data:`CODES`, e.g. ``constraint.failed``): the shortlist also
gives its sentences as data, ``{"code", "params", "text"}`` (:mod:`matching.messages`), which
pages will render instead of translating the text back.

Slots named ``column`` hold a column name (no spaces), ``op`` a comparison operator; the others
hold any text. In French, the numbers of the other slots are written the French way
(``1 759 609``, ``18,68 km``), the units too (``MAD/m²/mois``), and the "or" of a list of
alternatives becomes "ou".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["CODES", "LANGUAGES", "PHRASES", "phrase_of", "say", "translate", "translated"]

LANGUAGES = ("en", "fr")


class Phrase(NamedTuple):
    """One sentence of the engine: its English template and its French one."""

    en: str
    fr: str


#: every sentence the engine writes in a shortlist's ``explanation``, ``reasons``, ``hint``,
#: ``warnings`` and ``assumptions``, in the ``notes`` of "investors like you" and in the
#: ``warnings`` of the suitability grid
PHRASES: dict[str, Phrase] = {
    "strongest": Phrase("strongest criterion: {column} ({value})",
                        "critère le plus fort\u202f: {column} ({value})"),
    "weakest": Phrase("weakest criterion: {column} ({value})",
                      "critère le plus faible\u202f: {column} ({value})"),
    "missing_not_checked": Phrase("{column} missing: {constraint} not checked",
                                  "{column} manquant\u202f: {constraint} non vérifié"),
    "missing_scored_worst": Phrase(
        "{column} missing: scored as the worst observed value ({value})",
        "{column} manquant\u202f: noté à la pire valeur observée ({value})",
    ),
    "missing": Phrase("{column} missing", "{column} manquant"),
    # a failed comparison: no words, but numbers and units to write the French way
    "compare": Phrase("{column} {value} {op} {limit}", "{column} {value} {op} {limit}"),
    "not_one_of": Phrase("{column} {value} is not one of {values}",
                         "{column} {value} ne fait pas partie de {values}"),
    "one_of": Phrase("{column} {value} is one of {values}",
                     "{column} {value} fait partie de {values}"),
    "list_lacks": Phrase("{column} {items} do not include {alternatives}",
                         "{column} {items} n'incluent pas {alternatives}"),
    "list_excluded": Phrase("{column} {items} include {hits}, which the requirement excludes",
                            "{column} {items} incluent {hits}, que les exigences excluent"),
    "value_excluded": Phrase("{column} {value} is {hits}, which the requirement excludes",
                             "{column} {value} est {hits}, que les exigences excluent"),
    "hint_relax": Phrase(
        "Relax the constraint {constraint} first: it excluded the most zones ({count} of {total}).",
        "Assouplir d'abord la contrainte {constraint}\u202f: c'est elle qui a exclu le plus de "
        "zones ({count} sur {total}).",
    ),
    "hint_worst": Phrase(
        "Score the criterion {column} with missing: worst, or drop it: it excluded the most zones "
        "({count} of {total}).",
        "Noter le critère {column} avec missing: worst, ou le retirer\u202f: c'est lui qui a exclu "
        "le plus de zones ({count} sur {total}).",
    ),
    # warnings
    "no_incentive_class": Phrase(
        "incentives were not estimated: the dataset has no incentive_zone_class column",
        "les incitations n'ont pas été estimées\u202f: le jeu de données n'a pas de colonne "
        "incentive_zone_class",
    ),
    "criterion_without_values": Phrase(
        "criterion {column} was dropped: no zone has a value to score",
        "le critère {column} a été retiré\u202f: aucune zone n'a de valeur à noter",
    ),
    "criterion_no_variance": Phrase(
        "criterion {column} has the same value ({value}) in every ranked zone: it cannot separate "
        "them",
        "le critère {column} a la même valeur ({value}) dans toutes les zones classées\u202f: il ne "
        "peut pas les départager",
    ),
    "sum_of_zero": Phrase(
        "criterion {column} sums to 0 over the ranked zones: normalization 'sum' cannot scale it, "
        "so it scores 0 for every zone; use normalization 'vector' or 'minmax'",
        "le critère {column} a une somme nulle sur les zones classées\u202f: la normalisation "
        "'sum' ne peut pas l'échelonner, il vaut donc 0 pour chaque zone\u202f; utilisez la "
        "normalisation 'vector' ou 'minmax'",
    ),
    "sum_of_mixed_signs": Phrase(
        "criterion {column} has negative and positive values: normalization 'sum' divides by their "
        "sum, which misorders them; use 'vector' or 'minmax'",
        "le critère {column} a des valeurs négatives et positives\u202f: la normalisation 'sum' "
        "divise par leur somme, ce qui les range mal\u202f; utilisez 'vector' ou 'minmax'",
    ),
    "preset_constraint_skipped": Phrase(
        "the {activity} preset's constraint on {column} was not applied: the dataset has no such "
        "column",
        "la contrainte du préréglage {activity} sur {column} n'a pas été appliquée\u202f: le jeu "
        "de données n'a pas cette colonne",
    ),
    "preset_criterion_no_column": Phrase(
        "the {activity} preset's criterion {column} was dropped: the dataset has no such column",
        "le critère {column} du préréglage {activity} a été retiré\u202f: le jeu de données n'a "
        "pas cette colonne",
    ),
    "preset_criterion_no_class": Phrase(
        "the {activity} preset's criterion {column} was dropped: the dataset has no "
        "incentive_zone_class column to estimate it",
        "le critère {column} du préréglage {activity} a été retiré\u202f: le jeu de données n'a "
        "pas de colonne incentive_zone_class pour l'estimer",
    ),
    "floor_area_unchecked": Phrase(
        "the floor area ({area}) was not checked: the dataset has no available_m2 column",
        "la surface ({area}) n'a pas été vérifiée\u202f: le jeu de données n'a pas de colonne "
        "available_m2",
    ),
    "preset_criteria_not_in_ahp": Phrase(
        "the preset's criteria {columns} are not scored: they are not in ahp.criteria",
        "les critères {columns} du préréglage ne sont pas notés\u202f: ils ne sont pas dans "
        "ahp.criteria",
    ),
    "ahp_overrides_weights": Phrase(
        "the criteria's weights are ignored: the AHP matrix gives them",
        "les poids des critères sont ignorés\u202f: la matrice AHP les donne",
    ),
    "ahp_inconsistent_accepted": Phrase(
        "the AHP matrix is inconsistent (consistency ratio {ratio} > 0.10), accepted because "
        "ahp.allow_inconsistent is true",
        "la matrice AHP est incohérente (ratio de cohérence {ratio} > 0,10), acceptée car "
        "ahp.allow_inconsistent vaut true",
    ),
    # the suitability grid's warnings
    "grid_criterion_dropped": Phrase(
        "the default profile's criterion {column} was dropped: the grid has no such column",
        "le critère {column} du profil par défaut a été retiré\u202f: la grille n'a pas cette "
        "colonne",
    ),
    "grid_no_variance": Phrase(
        "criterion {column} has the same value in every scored cell",
        "le critère {column} a la même valeur dans toutes les cellules notées",
    ),
    "grid_nothing_scored": Phrase(
        "no cell meets every constraint of the profile: nothing is scored",
        "aucune cellule ne remplit toutes les contraintes du profil\u202f: rien n'est noté",
    ),
    # assumptions
    "preset_used": Phrase(
        "activity {activity}: criteria and constraints from the preset unless given (rationale in "
        "docs/requirements.md)",
        "activité {activity}\u202f: critères et contraintes du préréglage, sauf ceux donnés "
        "(justification dans docs/requirements.md)",
    ),
    "floor_area_from_headcount": Phrase(
        "floor area {area} = headcount {headcount} x {m2_per_seat} m² per seat",
        "surface {area} = effectif {headcount} x {m2_per_seat} m² par poste",
    ),
    "available_m2_needed": Phrase(
        "zones need available_m2 >= {area}; a zone that publishes no available floor area is kept, "
        "and its explanation says it was not checked",
        "les zones doivent avoir available_m2 >= {area}\u202f; une zone qui ne publie pas de "
        "surface disponible est gardée, et son explication dit que ce n'est pas vérifié",
    ),
    "robustness_draws": Phrase(
        "robustness: {draws} weight draws, each weight multiplied by a log-normal factor "
        "exp({sigma} Z), renormalised; seed {seed}",
        "robustesse\u202f: {draws} tirages de poids, chaque poids multiplié par un facteur "
        "log-normal exp({sigma} Z), puis renormalisés\u202f; graine {seed}",
    ),
    "incentive_rules": Phrase(
        "{name}, rules version {version} (in force from {since})",
        "{name}, règles version {version} (en vigueur depuis le {since})",
    ),
    "jobs_assumed": Phrase(
        "{headcount} new stable jobs, all Moroccan recruits, kept at least {months} months",
        "{headcount} emplois stables nouveaux, tous pourvus par des recrues marocaines, gardés au "
        "moins {months} mois",
    ),
    "salary_default": Phrase(
        "gross taxable salary {salary} MAD/month (default assumption: give salary_mad_month)",
        "salaire brut imposable {salary} MAD/mois (hypothèse par défaut\u202f: donnez "
        "salary_mad_month)",
    ),
    "salary_given": Phrase("gross taxable salary {salary} MAD/month",
                           "salaire brut imposable {salary} MAD/mois"),
    "training_grant": Phrase(
        "training grant {rate} of the annual gross salary per recruit per year over {years} years",
        "aide à la formation de {rate} du salaire brut annuel par recrue et par an, sur {years} "
        "ans",
    ),
    "employment_grant": Phrase(
        "employment grant {rate} of the annual gross salary per job, once",
        "aide à l'emploi de {rate} du salaire brut annuel par emploi, versée une fois",
    ),
    "corporate_tax_uncertain": Phrase(
        "up to {rate} of the corporate tax (IS) due; not estimated (depends on profits); "
        "uncertain: sources describe the base regime differently",
        "jusqu'à {rate} de l'impôt sur les sociétés (IS) dû\u202f; non estimé (dépend des "
        "bénéfices)\u202f; incertain\u202f: les sources décrivent le régime de base différemment",
    ),
    "corporate_tax": Phrase(
        "up to {rate} of the corporate tax (IS) due; not estimated (depends on profits)",
        "jusqu'à {rate} de l'impôt sur les sociétés (IS) dû\u202f; non estimé (dépend des "
        "bénéfices)",
    ),
    "activity_assumed_eligible": Phrase(
        "activity not given: assumed eligible (ITO, CRM, BPO, ESO or KPO)",
        "activité non donnée\u202f: supposée éligible (ITO, CRM, BPO, ESO ou KPO)",
    ),
    "activity_not_eligible": Phrase(
        "activity {activity} is not eligible to the offer",
        "l'activité {activity} n'est pas éligible à l'offre",
    ),
    "zone_class_unknown": Phrase(
        "the zone's incentive class is unknown: income-tax cap not estimated",
        "la classe d'incitation de la zone est inconnue\u202f: plafonnement de l'IR non estimé",
    ),
    "zone_class_not_in_rules": Phrase(
        "incentive class {zone_class} is not covered by the rules file: not estimated",
        "la classe d'incitation {zone_class} n'est pas couverte par le fichier de règles\u202f: "
        "non estimée",
    ),
    "income_tax_cap": Phrase(
        "income-tax cap {cap} ({zone_class}), valued as the tax above the cap on the 2025 scale, "
        "over {years} years (the cap runs to {until}); it accrues to the employees",
        "plafonnement de l'IR à {cap} ({zone_class}), valorisé comme l'impôt au-delà du plafond "
        "au barème 2025, sur {years} ans (jusqu'au {until})\u202f; il profite aux salariés",
    ),
    # "investors like you"
    "median_size_assumed": Phrase(
        "the requirement gives no headcount or floor area: compared at the past investors' median "
        "size ({size} people)",
        "les exigences ne donnent ni effectif ni surface\u202f: comparées à la taille médiane des "
        "investisseurs passés ({size} personnes)",
    ),
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
}
if set(CODES) != set(PHRASES) or len(set(CODES.values())) != len(CODES):  # pragma: no cover
    raise RuntimeError("matching.phrases: every template needs one code of its own")

_SLOT = re.compile(r"\{(\w+)\}")
_SLOT_PATTERNS = {"column": r"(?P<NAME>\S+)", "op": r"(?P<NAME><=|>=|!=|==|<|>)"}
_UNITS_FR = (("/month", "/mois"), ("/year", "/an"), ("/job", "/emploi"), (" months", " mois"))
# an English number with thousands commas and/or a decimal point
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?!\d)")


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _SLOT.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        name = match.group(1)
        parts.append(_SLOT_PATTERNS.get(name, rf"(?P<{name}>.+?)").replace("NAME", name))
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


# longest English templates first, so that "{column} missing" does not take a longer sentence;
# the bare comparison last, as a sentence with words may hold an operator too
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_pattern(PHRASES[key].en), key)
    for key in sorted(PHRASES, key=lambda k: (k == "compare", -len(PHRASES[k].en)))
]


def say(key: str, **slots: object) -> str:
    """The English sentence ``key`` of :data:`PHRASES`, its slots filled.

    >>> say("missing", column="rent_mad_m2_month")
    'rent_mad_m2_month missing'
    """
    return PHRASES[key].en.format(**slots)


def phrase_of(text: str) -> tuple[str, dict[str, str]] | None:
    """The key of the template of :data:`PHRASES` that wrote ``text``, and its slots.

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


def _french_slot(name: str, text: str) -> str:
    if name in ("column", "op"):
        return text
    text = _NUMBER.sub(lambda m: m.group(1).replace(",", "\u202f").replace(".", ","), text)
    for english, french in _UNITS_FR:
        text = text.replace(english, french)
    if name == "alternatives":
        text = text.replace(" or ", " ou ")
    return text


def translate(text: str, lang: str) -> str:
    """``text`` (a sentence of the engine) in ``lang``; unchanged when no template matches.

    Examples
    --------
    >>> translate("weakest criterion: airports_km (18.68 km)", "fr")
    'critère le plus faible\u202f: airports_km (18,68 km)'
    >>> translate("rent_mad_m2_month missing: scored as the worst observed value (95 MAD/m²/month)", "fr")
    'rent_mad_m2_month manquant\u202f: noté à la pire valeur observée (95 MAD/m²/mois)'
    >>> translate("available_m2 2,200 m² < 2,400", "fr")
    'available_m2 2\u202f200 m² < 2\u202f400'
    >>> translate("a sentence of somebody else", "fr")
    'a sentence of somebody else'
    """
    if lang == "en":
        return text
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    found = phrase_of(text)
    if found is None:
        return text
    key, slots = found
    return PHRASES[key].fr.format(**{name: _french_slot(name, v) for name, v in slots.items()})


def translated(texts: Iterable[object], lang: str) -> list[tuple[str, str]]:
    """Each text in ``lang`` when a template knows it, with the language it is now in.

    >>> translated(["a_km missing", "a_km 3 > 2", "something else"], "fr")
    [('a_km manquant', 'fr'), ('a_km 3 > 2', 'fr'), ('something else', 'en')]
    """
    out = []
    for text in texts:
        text = str(text)
        known = lang == "en" or phrase_of(text) is not None
        out.append((translate(text, lang), lang if known else "en"))
    return out
