"""Command-line commands of the decision: ``shortlist``, ``learn-weights``, ``allocate``, ``suitability``.

The commands are registered on :data:`cli`; the ``techvalley`` console script (``web.cli``)
assembles the groups of every package. This module is the only part of ``matching`` that reads
files: it parses them and calls the domain code.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from matching import settings
from matching.errors import RequirementsError
from valleys.cli import user_errors

#: Output formats of ``techvalley shortlist`` (the command-line contract).
SHORTLIST_FORMATS: tuple[str, ...] = ("table", "json", "csv", "xlsx", "geojson", "html", "pdf")
#: Formats that ``--top`` shortens; the machine formats always list every zone.
HUMAN_FORMATS: frozenset[str] = frozenset({"table", "xlsx", "html", "pdf"})
BINARY_FORMATS: frozenset[str] = frozenset({"xlsx", "pdf"})


@click.group()
def cli() -> None:
    """Decision commands."""


def _read_requirements(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RequirementsError(
            f"requirements file {path} not found; give the path of a YAML or JSON requirements "
            "file (see docs/requirements.md)"
        ) from None
    except IsADirectoryError:
        raise RequirementsError(f"{path} is a folder; give a YAML or JSON requirements file") from None
    except UnicodeDecodeError as exc:
        raise RequirementsError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 YAML or JSON"
        ) from None
    except OSError as exc:
        raise RequirementsError(f"{path} cannot be read: {exc.strerror}") from None


@cli.command("shortlist")
@click.argument("requirements", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--data", "data_path", type=click.Path(path_type=Path), default=None,
              help="Dataset (GeoPackage or folder); default the shipped Morocco dataset.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show only the first N ranked zones (table, xlsx, html, pdf).")
@click.option("--format", "fmt", type=click.Choice(SHORTLIST_FORMATS), default="table",
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
@user_errors
def shortlist(requirements: Path, data_path: Path | None, top: int | None, fmt: str,
              out: Path | None, draws: int | None, seed: int | None, lang: str) -> None:
    """Rank the zones of a dataset for the requirements in REQUIREMENTS (YAML or JSON).

    Every zone appears once, ranked or excluded with its reasons; warnings go to stderr.
    Exit status 2 with a message on stderr for a bad file, requirement or dataset.
    """
    import valleys
    from matching import export
    from matching.requirements import parse_requirements_text
    from matching.shortlist import make_shortlist
    from valleys.sources import dataset_version, discover_layers

    document = parse_requirements_text(_read_requirements(requirements), source=str(requirements))
    binary = fmt in BINARY_FORMATS
    if binary and out is None and sys.stdout.isatty():
        raise RequirementsError(
            f"--format {fmt} writes a binary file: give --out FILE (or redirect standard output)"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sites = valleys.load_sites(data_path)
        root = valleys.resolve_data_path(data_path)
        sites.attrs["path"] = str(root)  # recorded in the shortlist's `dataset`
        sites.attrs["version"] = dataset_version(discover_layers(root))
        result = make_shortlist(document, sites, robustness_draws=draws, seed=seed,
                                source=str(requirements))
    for warning in caught:
        click.echo(f"Warning: {warning.message}", err=True)
    for message in result.get("warnings", []):
        click.echo(f"Warning: {message}", err=True)

    rendered = export.export(result, fmt, sites, top=top if fmt in HUMAN_FORMATS else None,
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

from matching.cli_suitability import suitability_command  # noqa: E402

cli.add_command(suitability_command)

from matching.cli_learning import COMMANDS as _LEARNING_COMMANDS  # noqa: E402

for _command in _LEARNING_COMMANDS:  # learn-weights, allocate, similar-investors (issue 5)
    cli.add_command(_command)
