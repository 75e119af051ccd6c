"""Write the SYNTHETIC example inputs of issue 5 for the shipped dataset (run from the repo root).

    .venv/bin/python geodata/examples/make_examples.py

- ``DECISIONS.csv``: 150 synthetic past decisions (5 zones considered in each) sampled by
  :func:`matching.synthetic.synthetic_decisions` from the weights in ``TRUE_WEIGHTS``, with logit
  noise. Decision ids start with ``synthetic-``: they are not real placements.
- ``PAST_INVESTORS.yaml``: 30 synthetic past investors (requirements + the zone ``chosen``), one
  per decision ``synthetic-0001`` to ``synthetic-0030``, for ``techvalley similar-investors``.
- ``PIPELINE.yaml``: five synthetic investors to allocate (``techvalley allocate``). Only Fès Shore
  and Tétouan Shore publish ``available_m2`` in the shipped dataset; the other zones are not
  allocated, and the output says so.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).parent

#: The weights the synthetic decisions are drawn from (per standard deviation; negative: cost).
TRUE_WEIGHTS = {
    "catchment_labour_active": 0.35,
    "catchment_french_literate_pct": 0.25,
    "airports_km": -0.25,
    "universities_km": -0.15,
}
ACTIVITIES = ["BPO", "CRM", "ITO"]
HEADER = "# SYNTHETIC example for techvalley (issue 5): not real investors. Rebuilt by " \
         "geodata/examples/make_examples.py\n"


def main() -> None:
    import valleys
    from matching.synthetic import synthetic_decisions

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sites = valleys.load_sites()
    decisions = synthetic_decisions(sites, TRUE_WEIGHTS, n_decisions=150, zones_per_decision=5,
                                    noise=0.3, activities=ACTIVITIES, seed=2026)
    decisions["decision_id"] = decisions["decision_id"].str.replace("d", "synthetic-", n=1)
    decisions.to_csv(HERE / "DECISIONS.csv", index=False)

    rng = np.random.default_rng(2026)
    chosen = decisions[decisions.chosen == 1].set_index("decision_id")
    past = []
    language_criteria = {
        "french": {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 4},
        "english": {"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 4},
    }
    for n, (decision_id, row) in enumerate(chosen.iloc[:30].iterrows()):
        investor = {"name": f"Synthetic investor {n + 1:02d}", "decision_id": decision_id,
                    "activity": row["activity"],
                    "headcount": int(round(float(np.exp(rng.normal(np.log(250), 0.8))), -1)) or 10}
        if rng.random() < 0.6:  # most state their own criteria
            language = "english" if row["activity"] == "ITO" else "french"
            investor["criteria"] = [
                {"column": "catchment_labour_active", "direction": "benefit",
                 "weight": int(rng.integers(1, 6))},
                dict(language_criteria[language]),
                {"column": "airports_km", "direction": "cost", "weight": int(rng.integers(1, 4))},
            ]
        if rng.random() < 0.3:
            investor["constraints"] = [{"column": "airports_km", "op": "<=",
                                        "value": int(rng.choice([15, 20, 30]))}]
        investor["chosen"] = row["site_id"]
        past.append(investor)
    (HERE / "PAST_INVESTORS.yaml").write_text(
        HEADER + yaml.safe_dump(past, sort_keys=False, allow_unicode=True), encoding="utf-8")

    pipeline = [
        {"name": "Synthetic BPO, 375 seats", "activity": "BPO", "floor_area_m2": 3000},
        {"name": "Synthetic CRM, 300 seats", "activity": "CRM", "floor_area_m2": 2400},
        {"name": "Synthetic KPO, 250 seats", "activity": "KPO", "floor_area_m2": 2000},
        {"name": "Synthetic ITO, 100 seats", "activity": "ITO", "headcount": 100},
        {"name": "Synthetic ESO near an airport", "activity": "ESO", "floor_area_m2": 1500,
         "constraints": [{"column": "airports_km", "op": "<=", "value": 10}]},
    ]
    (HERE / "PIPELINE.yaml").write_text(
        HEADER + yaml.safe_dump(pipeline, sort_keys=False, allow_unicode=True), encoding="utf-8")


if __name__ == "__main__":
    main()
