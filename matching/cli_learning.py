"""Command-line commands of issue 5: ``learn-weights``, ``allocate``, ``similar-investors``.

The files (``DECISIONS.csv``, ``PIPELINE.yaml``, past investors) are read by :mod:`matching.io`;
the commands call the domain code (:mod:`matching.learning`, :mod:`matching.allocation`,
:mod:`matching.neighbours`). JSON goes to standard output unless ``--out`` names a file;
messages and warnings go to standard error; a user error exits with status 2.
The ``techvalley`` group that holds them is assembled in ``web.cli`` (:data:`COMMANDS`).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import click

from matching.allocation import DEFAULT_TIME_LIMIT_S
from matching.errors import DecisionsError
from matching.io import read_decisions, read_text, read_yaml_list
from matching.learning import DEFAULT_BOOTSTRAP
from valleys.console import FiniteFloatRange, user_errors

__all__ = ["COMMANDS", "allocate_command", "learn_weights_command", "similar_investors_command"]

_DATA_HELP = "Dataset (GeoPackage or folder); default the shipped Morocco dataset."


def _load_sites(data_path: Path | None, overlay: Path | None = None) -> Any:
    from valleys.overlay import load_sites_with_overlay

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sites = load_sites_with_overlay(data_path, overlay)
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    return sites


def _emit(payload: dict[str, Any], out: Path | None, summary: str) -> None:
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)
    if out is None:
        click.echo(text)
        click.echo(summary, err=True)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise DecisionsError(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out}. {summary}", err=True)


def _quality_lines(quality: dict[str, Any]) -> str:
    lines = [f"Cross-validated ({quality['cross_validation']}, {quality['decisions']} "
             f"decisions; a random pick is right {quality['chance_top1']:.0%} of the time):"]
    for key, label in (("learned", "learned weights"), ("equal_weights", "equal weights"),
                       ("preset", "activity preset")):
        if key in quality and quality[key].get("top1_accuracy") is not None:
            q = quality[key]
            lines.append(f"  {label:<16} top-1 accuracy {q['top1_accuracy']:.3f}  "
                         f"NDCG {q['ndcg']:.3f}")
    return "\n".join(lines)


@click.command("learn-weights")
@click.argument("decisions", type=click.Path(path_type=Path))
@click.option("--criteria", required=True,
              help="Comma-separated numeric zone columns to weigh, e.g. "
                   "catchment_labour_active,rent_mad_m2_month,airports_km.")
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None, help=_DATA_HELP)
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@click.option("--activity", default=None,
              help="Compare with this activity's preset (ITO, CRM, BPO, ESO, KPO); default each "
                   "decision's own activity column, if any.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the requirements fragment to this file instead of standard output.")
@click.option("--folds", type=click.IntRange(min=2), default=5, show_default=True,
              help="Cross-validation folds (GroupKFold by decision).")
@click.option("--regularization", "C", type=FiniteFloatRange(min=0, min_open=True), default=1.0,
              show_default=True, help="Inverse L2 regularisation C of the logistic regression.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=DEFAULT_BOOTSTRAP,
              show_default=True,
              help="Resamples of the decisions for each weight's 95% confidence interval "
                   "(0: none; else at least 2).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the resamples: the same seed, the same intervals.")
@user_errors
def learn_weights_command(decisions: Path, criteria: str, data_path: Path | None,
                          activity: str | None, out: Path | None, folds: int, C: float,
                          overlay: Path | None, bootstrap: int, seed: int) -> None:
    """Learn criterion weights from past decisions in DECISIONS (CSV).

    DECISIONS has the columns decision_id, site_id, chosen (1 for the zone chosen, 0 for the
    others considered) and optionally activity. The output is a requirements fragment (method
    weighted_sum, normalization none, criteria with direction and weight, about.quality,
    about.confidence with each weight's interval, about.warnings) that can be used as is, or
    merged into a requirements file. Correlated criteria and too few decisions are warned
    about on standard error.
    """
    from matching.learning import learn_weights

    table = read_decisions(decisions)
    sites = _load_sites(data_path, overlay)
    learned = learn_weights(table, sites, criteria.split(","), activity=activity,
                            n_splits=folds, C=C, source=str(decisions), bootstrap=bootstrap,
                            seed=seed)
    fragment = learned.to_requirements()
    for said in learned.messages:
        click.echo(f"Warning: {said.text}", err=True)
    intervals = learned.confidence.get("weights_per_standard_deviation", {})
    importance = ", ".join(
        f"{c} {d} {w:.2f}" + (f" [{intervals[c][0]:.2f}, {intervals[c][1]:.2f}]"
                              if c in intervals else "")
        for c, d, w in zip(learned.criteria, learned.directions, learned.importance,
                           strict=True))
    if intervals:
        importance += (f" (95% intervals from {learned.confidence['resamples']} resamples "
                       "of the decisions)")
    _emit(fragment, out, f"Learned weights per standard deviation: {importance}.\n"
          + _quality_lines(learned.quality))


@click.command("allocate")
@click.argument("pipeline", type=click.Path(path_type=Path))
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None, help=_DATA_HELP)
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the allocation JSON to this file instead of standard output.")
@click.option("--time-limit", type=FiniteFloatRange(min=0, min_open=True),
              default=DEFAULT_TIME_LIMIT_S, show_default=True,
              help="Stop the solver after this many seconds with its best allocation and the "
                   "proven gap to the optimum.")
@click.option("--gap", type=FiniteFloatRange(min=0, max=1), default=1e-4, show_default=True,
              help="Stop once the total score is proven within this fraction of the optimum.")
@user_errors
def allocate_command(pipeline: Path, data_path: Path | None, out: Path | None,
                     time_limit: float, gap: float, overlay: Path | None) -> None:
    """Give each investor of PIPELINE (YAML list of requirements) at most one zone.

    Each investor needs a name and floor_area_m2 (or a headcount); a zone's capacity is its
    available_m2 (a zone without it is not allocated, and the output says so). The total
    shortlist score is maximised exactly, as an integer program.
    """
    from matching.allocation import allocate

    items = read_yaml_list(pipeline, "pipeline")
    sites = _load_sites(data_path, overlay)
    result = allocate(items, sites, source=str(pipeline), time_limit=time_limit, mip_rel_gap=gap)
    solver = result["solver"]
    found = (" the solver found no allocation in time: the greedy one, best found"
             if solver.get("found_by") == "greedy" else "")
    summary = (f"{len(result['assignments'])} of {len(items)} investors placed, total score "
               f"{result['total_score']:.4f} ({solver['status']}, gap {solver['mip_gap']:.2g}, "
               f"{solver['seconds']:.2f} s{';' if found else ''}{found}); "
               f"{len(result['not_allocated_zones'])} zone(s) without available_m2 not "
               "allocated.")
    if solver["status"] != "optimal":
        click.echo(f"Warning: the solver stopped at --time-limit {time_limit:g} s before proving "
                   f"the allocation optimal (gap {solver['mip_gap']:.2%}); a longer limit may "
                   "do better.", err=True)
    _emit(result, out, summary)


@click.command("similar-investors")
@click.argument("requirements", type=click.Path(path_type=Path))
@click.option("--past", "past_path", type=click.Path(path_type=Path), required=True,
              help="Past investors: a YAML list of requirements documents, each with "
                   "chosen: <zone id>.")
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None, help=_DATA_HELP)
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@click.option("-k", "--neighbours", "k", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many similar investors.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the JSON to this file instead of standard output.")
@user_errors
def similar_investors_command(requirements: Path, past_path: Path, data_path: Path | None,
                              k: int, out: Path | None, overlay: Path | None) -> None:
    """Investors like you: the past investors most similar to REQUIREMENTS (YAML or JSON).

    Prints them, the zones they chose and suggested criteria weights.
    """
    from matching.neighbours import similar_investors
    from matching.requirements import parse_requirements, parse_requirements_text

    document = parse_requirements_text(read_text(requirements, "requirements"),
                                       source=str(requirements))
    query = parse_requirements(document, source=str(requirements))
    past = read_yaml_list(past_path, "past investors")
    sites = _load_sites(data_path, overlay)
    result = similar_investors(query, past, k=k, sites=sites, source=str(past_path))
    zones = ", ".join(f"{z['name']} ({z['count']})" for z in result["chosen_zones"])
    _emit(result, out, f"{result['k']} similar investors; they chose: {zones}.")


#: The commands of this module, for the ``techvalley`` group (``web.cli``).
COMMANDS = (learn_weights_command, allocate_command, similar_investors_command)
