"""The words on the maps, in English and French (the maps' own labels, not the app's catalog)."""

from __future__ import annotations

from collections.abc import Mapping

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "zones": "Zones",
        "status": "Zone status",
        "operating": "Operating",
        "under_development": "Under development",
        "planned": "Planned",
        "uncertain": "Uncertain",
        "unknown_status": "Status unknown",
        "city": "City",
        "region": "Region",
        "operator": "Operator",
        "office_floor_m2": "Office floor",
        "available_m2": "Available",
        "rent_mad_m2_month": "Rent",
        "airports_km": "Airport",
        "catchment_labour_active": "Labour force within reach",
        "zone_page": "Zone page",
        "communes": "Talent (communes)",
        "talent": "Talent indicator",
        "labour_active": "Labour force",
        "french_literate_pct": "French literacy",
        "english_literate_pct": "English literacy",
        "higher_education_pct": "Higher education",
        "regions": "Regions",
        "tiles": "OpenStreetMap",
        "offline": "Offline (regions only)",
        "search": "Search a zone",
        "no_zone": "No zone found",
        "fullscreen": "Full screen",
        "missing": "no data",
        "airports": "Airports",
        "rail_stations": "Rail stations",
        "universities": "Universities",
        "nearest": "Nearest infrastructure",
        "area": "Zone outline",
        "this_zone": "This zone",
        "score": "Score",
        "rank": "Rank",
        "ranked": "Ranked zones",
        "excluded": "Excluded",
        "not_on_map": "not in the current dataset, not on the map",
        "p_first": "Ranked first in draws",
        "reasons": "Reasons",
        "per_month": "MAD/m²/month",
    },
    "fr": {
        "zones": "Zones",
        "status": "Statut de la zone",
        "operating": "En activité",
        "under_development": "En développement",
        "planned": "Projetée",
        "uncertain": "Incertaine",
        "unknown_status": "Statut inconnu",
        "city": "Ville",
        "region": "Région",
        "operator": "Opérateur",
        "office_floor_m2": "Surface de bureaux",
        "available_m2": "Disponible",
        "rent_mad_m2_month": "Loyer",
        "airports_km": "Aéroport",
        "catchment_labour_active": "Population active à portée",
        "zone_page": "Fiche de la zone",
        "communes": "Talents (communes)",
        "talent": "Indicateur de talents",
        "labour_active": "Population active",
        "french_literate_pct": "Lecture du français",
        "english_literate_pct": "Lecture de l'anglais",
        "higher_education_pct": "Études supérieures",
        "regions": "Régions",
        "tiles": "OpenStreetMap",
        "offline": "Hors ligne (régions seules)",
        "search": "Chercher une zone",
        "no_zone": "Aucune zone trouvée",
        "fullscreen": "Plein écran",
        "missing": "pas de donnée",
        "airports": "Aéroports",
        "rail_stations": "Gares",
        "universities": "Universités",
        "nearest": "Infrastructures les plus proches",
        "area": "Contour de la zone",
        "this_zone": "Cette zone",
        "score": "Score",
        "rank": "Rang",
        "ranked": "Zones classées",
        "excluded": "Exclue",
        "not_on_map": "absentes du jeu de données actuel, hors carte",
        "p_first": "Classée première (tirages)",
        "reasons": "Raisons",
        "per_month": "MAD/m²/mois",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get((lang or "en")[:2].lower(), LABELS["en"])


def _locale(lang: str) -> str:
    code = (lang or "en")[:2].lower()
    return code if code in LABELS else "en"


def _ui_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: labels[k] for k in ("search", "no_zone", "fullscreen", "missing", "talent")}


def _layer_label(layer: str, labels: Mapping[str, str]) -> str:
    return labels.get(layer, layer.replace("_", " ").capitalize())
