"""The words of the human exports (table, XLSX, HTML, PDF), by key: English msgids of the
shared catalogue (:mod:`matching.i18n`), whose French lives in
``matching/locale/fr/LC_MESSAGES/techvalley.po``."""

from __future__ import annotations

from matching.i18n import LANGUAGES, N_

#: the languages of the human exports
LANGS = LANGUAGES

LABELS: dict[str, str] = {
    "title": N_("Shortlist"),
    "requirements": N_("Requirements"),
    "ranked": N_("Ranked zones"),
    "excluded": N_("Excluded zones"),
    "rank": N_("rank"),
    "zone": N_("zone"),
    "score": N_("score"),
    "reasons": N_("reasons"),
    "p_first": N_("P(first)"),
    "p_top3": N_("P(top 3)"),
    "criterion": N_("criterion"),
    "direction": N_("direction"),
    "weight": N_("weight"),
    "value": N_("value"),
    "contribution": N_("contribution"),
    "benefit": N_("benefit"),
    "cost": N_("cost"),
    "method": N_("Method"),
    "normalization": N_("normalisation"),
    "weights": N_("Weights"),
    "consistency_ratio": N_("AHP consistency ratio"),
    "robustness": N_("Robustness"),
    "robustness_text": N_(
        "Share of random weight draws around the given weights in which the zone ranks first "
        "and in the top 3."
    ),
    "leave_one_out": N_("Rank without each criterion"),
    "loo_first": N_("first without it"),
    "loo_change": N_("largest rank change"),
    # weight sensitivity (matching.sensitivity)
    "sensitivity": N_("How far each weight can move"),
    "sensitivity_text": N_(
        "While a criterion's weight stays within the interval (the other weights rescaled in "
        "proportion), the first zone stays first; outside it, the zone named comes first."
    ),
    "stays_first": N_("first zone stays first between"),
    "first_below": N_("first below"),
    "first_above": N_("first above"),
    "interval_from": N_("first zone stays first from"),
    "interval_to": N_("first zone stays first up to"),
    "in_words": N_("in words"),
    "mean_rank": N_("mean rank"),
    "worst": N_("* missing: scored as the worst observed value"),
    "incentives": N_("Incentives (estimate)"),
    "location": N_("Location"),
    "sources": N_("Data sources"),
    "dataset": N_("Dataset"),
    "version": N_("version"),
    "assumptions": N_("Assumptions"),
    "warnings": N_("Warnings"),
    "hint": N_("Hint"),
    "nothing_ranked": N_("No zone meets every constraint."),
    "more_ranked": N_("%(n)s more ranked zone(s) not shown (top %(top)s)."),
    "zones_summary": N_("%(ranked)s zone(s) ranked, %(excluded)s excluded"),
    "constraints": N_("Constraints (hard: a zone failing one is excluded)"),
    "criteria": N_("Criteria (soft: what is scored)"),
    "name": N_("name"),
    "activity": N_("activity"),
    "headcount": N_("headcount"),
    "floor_area_m2": N_("floor area (m²)"),
    "salary_mad_month": N_("gross salary (MAD/month)"),
    "explanation": N_("Why this zone"),
    "item": N_("item"),
    "none": N_("none"),
    "generated": N_("Made with techvalley"),
    "city": N_("city"),
    "region": N_("region"),
    "status": N_("status"),
    "lonlat": N_("longitude, latitude"),
    "notes": N_("notes"),
    "contents": N_("Contents"),
    "topsis": N_(
        "TOPSIS ranks each zone by its relative closeness to the ideal zone (the best "
        "observed value of every criterion) and its distance from the anti-ideal zone, after "
        "normalising each criterion and multiplying it by its weight. The score is the "
        "closeness coefficient, from 0 (the anti-ideal) to 1 (the ideal). The score is split "
        "among the criteria in proportion to each one's share of the zone's distance from the"
        " anti-ideal: the contributions add up to the score."
    ),
    "weighted_sum": N_(
        "The weighted sum adds each criterion's normalised value times its weight. A cost "
        "criterion counts against the score (with min-max normalisation its value is (max - "
        "x) / (max - min)). A criterion's contribution is its term of the sum, so the "
        "contributions add up to the score."
    ),
    "norm_vector": N_(
        "vector: each value divided by the square root of the column's sum of squares."
    ),
    "norm_minmax": N_("min-max: (x - min) / (max - min), so the column spans 0 to 1."),
    "norm_sum": N_("sum: each value divided by the column's sum."),
    "norm_none": N_("none: the raw values are used."),
    "ahp": N_(
        "Weights from an AHP pairwise matrix (principal eigenvector); a consistency ratio "
        "above 0.10 is refused unless explicitly allowed."
    ),
    # the spreadsheet's own words
    "if_missing": N_("if missing"),
    "section": N_("section"),
    "imputed": N_("scored as the worst value"),
    "dataset_path": N_("files"),
    "dataset_zones": N_("zones"),
    "dataset_ranked": N_("ranked"),
    "dataset_excluded": N_("excluded"),
    "robustness_params": N_("%(draws)s random weight draws, spread %(sigma)s, seed %(seed)s"),
    "contribution_of": N_("contribution: %(column)s"),
    "incentive_of": N_("incentive: %(column)s"),
    # the dossier's summary, zone pages and sources (issue 13)
    "summary": N_("Summary"),
    "map_caption": N_("The ranked zones on the map: the number is the rank; grey dots are the other zones."),
    "zone_map_caption": N_("The zone (its rank), the other zones in grey and the talent catchment (dashed, %(km)s km)."),
    "key_figures": N_("Key figures"),
    "within_km": N_("within %(km)s km"),
    "planned_warning": N_("Planned: nothing is built yet; its figures are announcements."),
    "developing_warning": N_("Under development: not all of it is built yet."),
    "cited": N_("Sources cited"),
    "title_from_address": N_("title read from the web address"),
    "cited_by": N_("Sources: %(keys)s (listed in full at the end)."),
    "layers": N_("layers"),
    "requirements_words": N_("What the investor asks for"),
    "other_ranked": N_("The other ranked zones"),
}
