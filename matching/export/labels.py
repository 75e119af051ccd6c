"""The words of the human exports (table, XLSX, HTML, PDF) in each language they speak."""

from __future__ import annotations

#: the languages of the human exports
LANGS = ("en", "fr")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Shortlist",
        "requirements": "Requirements",
        "ranked": "Ranked zones",
        "excluded": "Excluded zones",
        "rank": "rank",
        "zone": "zone",
        "score": "score",
        "reasons": "reasons",
        "p_first": "P(first)",
        "p_top3": "P(top 3)",
        "criterion": "criterion",
        "direction": "direction",
        "weight": "weight",
        "value": "value",
        "contribution": "contribution",
        "benefit": "benefit",
        "cost": "cost",
        "method": "Method",
        "normalization": "normalisation",
        "weights": "Weights",
        "consistency_ratio": "AHP consistency ratio",
        "robustness": "Robustness",
        "robustness_text": "Share of random weight draws around the given weights in which the zone "
        "ranks first and in the top 3.",
        "leave_one_out": "Rank without each criterion",
        "loo_first": "first without it",
        "loo_change": "largest rank change",
        "mean_rank": "mean rank",
        "worst": "* missing: scored as the worst observed value",
        "incentives": "Incentives (estimate)",
        "location": "Location",
        "sources": "Data sources",
        "dataset": "Dataset",
        "version": "version",
        "assumptions": "Assumptions",
        "warnings": "Warnings",
        "hint": "Hint",
        "nothing_ranked": "No zone meets every constraint.",
        "more_ranked": "{n} more ranked zone(s) not shown (top {top}).",
        "zones_summary": "{ranked} zone(s) ranked, {excluded} excluded",
        "constraints": "Constraints (hard: a zone failing one is excluded)",
        "criteria": "Criteria (soft: what is scored)",
        "name": "name",
        "activity": "activity",
        "headcount": "headcount",
        "floor_area_m2": "floor area (m²)",
        "salary_mad_month": "gross salary (MAD/month)",
        "explanation": "Why this zone",
        "item": "item",
        "none": "none",
        "generated": "Made with techvalley",
        "city": "city",
        "region": "region",
        "status": "status",
        "lonlat": "longitude, latitude",
        "notes": "notes",
        "contents": "Contents",
        "topsis": "TOPSIS ranks each zone by its relative closeness to the ideal zone (the best "
        "observed value of every criterion) and its distance from the anti-ideal zone, after "
        "normalising each criterion and multiplying it by its weight. The score is the closeness "
        "coefficient, from 0 (the anti-ideal) to 1 (the ideal). The score is split among the "
        "criteria in proportion to each one's share of the zone's distance from the anti-ideal: "
        "the contributions add up to the score.",
        "weighted_sum": "The weighted sum adds each criterion's normalised value times its weight. "
        "A cost criterion counts against the score (with min-max normalisation its value is "
        "(max - x) / (max - min)). A criterion's contribution is its term of the sum, so the "
        "contributions add up to the score.",
        "norm_vector": "vector: each value divided by the square root of the column's sum of squares.",
        "norm_minmax": "min-max: (x - min) / (max - min), so the column spans 0 to 1.",
        "norm_sum": "sum: each value divided by the column's sum.",
        "norm_none": "none: the raw values are used.",
        "ahp": "Weights from an AHP pairwise matrix (principal eigenvector); a consistency ratio "
        "above 0.10 is refused unless explicitly allowed.",
    },
    "fr": {
        "title": "Liste restreinte",
        "requirements": "Besoins de l'investisseur",
        "ranked": "Zones classées",
        "excluded": "Zones exclues",
        "rank": "rang",
        "zone": "zone",
        "score": "score",
        "reasons": "motifs",
        "p_first": "P(1er)",
        "p_top3": "P(top 3)",
        "criterion": "critère",
        "direction": "sens",
        "weight": "poids",
        "value": "valeur",
        "contribution": "contribution",
        "benefit": "bénéfice",
        "cost": "coût",
        "method": "Méthode",
        "normalization": "normalisation",
        "weights": "Poids",
        "consistency_ratio": "Ratio de cohérence AHP",
        "robustness": "Robustesse",
        "robustness_text": "Part des tirages aléatoires de poids autour des poids donnés où la "
        "zone est classée première et dans les 3 premières.",
        "leave_one_out": "Rang sans chaque critère",
        "loo_first": "premier sans lui",
        "loo_change": "plus grand changement de rang",
        "mean_rank": "rang moyen",
        "worst": "* manquant : noté comme la pire valeur observée",
        "incentives": "Incitations (estimation)",
        "location": "Localisation",
        "sources": "Sources des données",
        "dataset": "Jeu de données",
        "version": "version",
        "assumptions": "Hypothèses",
        "warnings": "Avertissements",
        "hint": "Indication",
        "nothing_ranked": "Aucune zone ne satisfait toutes les contraintes.",
        "more_ranked": "{n} autre(s) zone(s) classée(s) non affichée(s) (top {top}).",
        "zones_summary": "{ranked} zone(s) classée(s), {excluded} exclue(s)",
        "constraints": "Contraintes (strictes : une zone qui en échoue une est exclue)",
        "criteria": "Critères (pondérés : ce qui est noté)",
        "name": "nom",
        "activity": "activité",
        "headcount": "effectif",
        "floor_area_m2": "surface de bureaux (m²)",
        "salary_mad_month": "salaire brut (MAD/mois)",
        "explanation": "Pourquoi cette zone",
        "item": "élément",
        "none": "aucun",
        "generated": "Réalisé avec techvalley",
        "city": "ville",
        "region": "région",
        "status": "statut",
        "lonlat": "longitude, latitude",
        "notes": "notes",
        "contents": "Sommaire",
        "topsis": "TOPSIS classe chaque zone selon sa proximité relative à la zone idéale (la "
        "meilleure valeur observée de chaque critère) et son éloignement de la zone anti-idéale, "
        "après normalisation et pondération de chaque critère. Le score est le coefficient de "
        "proximité, de 0 (l'anti-idéal) à 1 (l'idéal). Le score est réparti entre les critères "
        "au prorata de la part de chacun dans la distance de la zone à l'anti-idéal : les "
        "contributions s'additionnent pour donner le score.",
        "weighted_sum": "La somme pondérée additionne la valeur normalisée de chaque critère "
        "multipliée par son poids. Un critère de coût compte contre le score (en min-max sa valeur "
        "est (max - x) / (max - min)). La contribution d'un critère est son terme de la somme : "
        "les contributions s'additionnent pour donner le score.",
        "norm_vector": "vectorielle : chaque valeur divisée par la racine de la somme des carrés "
        "de la colonne.",
        "norm_minmax": "min-max : (x - min) / (max - min), la colonne va de 0 à 1.",
        "norm_sum": "somme : chaque valeur divisée par la somme de la colonne.",
        "norm_none": "aucune : les valeurs brutes sont utilisées.",
        "ahp": "Poids issus d'une matrice de comparaisons par paires AHP (vecteur propre "
        "principal) ; un ratio de cohérence supérieur à 0,10 est refusé sauf autorisation explicite.",
    },
}
