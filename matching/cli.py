"""Command-line command of the decision: ``shortlist``.

The decision's other commands are in :mod:`matching.cli_learning` (``learn-weights``,
``allocate``, ``similar-investors``) and :mod:`matching.cli_suitability` (``suitability``); the
``techvalley`` group is assembled in one place, ``web.cli``. Files are read by
:mod:`matching.io`; the command parses them and calls the domain code.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from matching import settings
from matching.errors import RequirementsError
from matching.export.registry import FORMATS as EXPORT_FORMATS  # the one list of formats
from matching.io import read_requirements
from valleys.console import user_errors


@click.command("shortlist")
@click.argument("requirements", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None,
              help="Dataset (GeoPackage or folder); default the shipped Morocco dataset.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show only the first N ranked zones "
                   f"({', '.join(n for n, spec in EXPORT_FORMATS.items() if spec.human)}).")
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="table",
              show_default=True, help="Output format.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output (needed for xlsx and pdf "
                   "on a terminal).")
@click.option("--draws", type=click.IntRange(0, settings.MAX_ROBUSTNESS_DRAWS), default=None,
              help="Monte-Carlo weight draws for the robustness figures (0: none); default the "
                   "requirement's robustness.draws, else "
                   f"{settings.ROBUSTNESS_DRAWS}.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the weight draws; default the requirement's robustness.seed, else 0.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the labels in the human formats (table, html, pdf, xlsx).")
@click.option("--overlay", "overlay", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An inventory overlay CSV (`techvalley inventory export`) applied to the zones.")
@user_errors
def shortlist(requirements: Path, data_path: Path | None, top: int | None, fmt: str,
              out: Path | None, draws: int | None, seed: int | None, lang: str,
              overlay: Path | None) -> None:
    """Rank the zones of a dataset for the requirements in REQUIREMENTS (YAML or JSON).

    Every zone appears once, ranked or excluded with its reasons; warnings go to stderr.
    Exit status 2 with a message on stderr for a bad file, requirement or dataset.
    """
    import valleys
    from matching import export
    from matching.requirements import parse_requirements_text
    from matching.shortlist import make_shortlist
    from valleys.overlay import load_sites_with_overlay
    from valleys.sources import dataset_version, discover_layers

    document = parse_requirements_text(read_requirements(requirements), source=str(requirements))
    binary = EXPORT_FORMATS[fmt].binary
    if binary and out is None and sys.stdout.isatty():
        raise RequirementsError(
            f"--format {fmt} writes a binary file: give --out FILE (or redirect standard output)"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sites = load_sites_with_overlay(data_path, overlay)
        root = valleys.resolve_data_path(data_path)
        sites.attrs["path"] = str(root)  # recorded in the shortlist's `dataset`
        if overlay is None:  # with one, the version covers it (valleys.overlay.versioned)
            sites.attrs["version"] = dataset_version(discover_layers(root))
        result = make_shortlist(document, sites, robustness_draws=draws, seed=seed,
                                source=str(requirements))
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    for message in result.get("warnings", []):
        click.echo(f"Warning: {message}", err=True)

    rendered = export.export(result, fmt, sites, top=top if EXPORT_FORMATS[fmt].human else None,
                             lang=lang)
    payload = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    if out is not None:
        try:
            out.write_bytes(payload)
        except OSError as exc:
            raise RequirementsError(f"cannot write {out}: {exc.strerror}") from None
        click.echo(
            f"Wrote {out} ({len(result['ranked'])} ranked, {len(result['excluded'])} excluded)",
            err=True,
        )
        return
    if isinstance(rendered, str):
        click.echo(rendered, nl=not rendered.endswith("\n"))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()


#: The decision's commands defined here, for the ``techvalley`` group (``web.cli``).
COMMANDS: tuple[click.Command, ...] = (shortlist,)
