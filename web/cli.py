"""The ``techvalley`` console script: the one command group, assembled here.

Each package defines its own domain's commands (``COMMANDS`` of :mod:`valleys.cli`,
:mod:`matching.cli`, :mod:`matching.cli_suitability`, :mod:`matching.cli_learning`); imports run
one way (valleys -> matching -> web), so the assembly lives here, at the top
(:data:`COMMAND_MODULES`), with the web's own commands (``serve``, ``create-staff``, ``inventory export|import``). A command
module is imported only when one of its commands runs (or for ``--help``), so that
``techvalley serve`` (and the supervisor of its workers) loads none of them. Every command
checks every package's settings first (:func:`valleys.console.user_errors`).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

import matching.settings  # noqa: F401  (every package's settings model is checked by each command)
import web.settings  # noqa: F401
from valleys.console import user_errors
from valleys.errors import TechValleyError

#: Each command of the other packages and the module that defines it (in its ``COMMANDS``).
COMMAND_MODULES: dict[str, str] = {
    "validate": "valleys.cli",
    "sites": "valleys.cli",
    "build-geodata": "valleys.cli",
    "shortlist": "matching.cli",
    "suitability": "matching.cli_suitability",
    "learn-weights": "matching.cli_learning",
    "allocate": "matching.cli_learning",
    "similar-investors": "matching.cli_learning",
}


class TechValleyGroup(click.Group):
    """The group of every command; a package's command module is imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMAND_MODULES and cmd_name not in self.commands:
            module = importlib.import_module(COMMAND_MODULES[cmd_name])
            self.add_command(next(c for c in module.COMMANDS if c.name == cmd_name))
        return super().get_command(ctx, cmd_name)


@click.group(cls=TechValleyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="techvalley")
def main() -> None:
    """techvalley: site selection and investor matching for Morocco's Tech Valleys."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option(
    "--data",
    "data_path",
    type=click.Path(exists=True, dir_okay=True, file_okay=True),
    default=None,
    help="Dataset to serve (a GeoPackage or a folder); default TECHVALLEY_DATA or the shipped one.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker threads per process (default TECHVALLEY_SERVE_THREADS, 8).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes sharing one listening socket, restarted if they die "
    "(default TECHVALLEY_SERVE_WORKERS, 1).",
)
@user_errors
def serve(host: str, port: int, data_path: str | None, threads: int | None, workers: int | None) -> None:
    """Serve the web app and the JSON API with waitress (a production WSGI server)."""
    from web.serve import serve as run
    from web.settings import from_env

    workers = workers or from_env()["TECHVALLEY_SERVE_WORKERS"]
    sys.exit(run(host=host, port=port, data_path=data_path, threads=threads, workers=workers))


@click.command("create-staff")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)
@user_errors
def create_staff_command(email: str, password_stdin: bool) -> None:
    """Create a staff account EMAIL (or set its password) in the app's store."""
    from web import create_app
    from web.auth import create_staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = create_app(load_data=False)
    with app.app_context():
        staff = create_staff(email, password)
        click.echo(
            f"staff account {staff.email} is ready ({app.config['SQLALCHEMY_DATABASE_URI']}); "
            "any sessions it had are ended",
            err=True,
        )


@click.group("inventory")
def inventory() -> None:
    """Move the staff's inventory overlay (their edits of zone facts) in and out of the store."""


@inventory.command("export")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the CSV to this file (default: standard output).")
@user_errors
def inventory_export(out: Path | None) -> None:
    """Write every stored edit as an overlay CSV (for review, version control, or --overlay)."""
    from valleys.overlay import write_overlay_csv
    from web import create_app, inventory_store

    app = create_app(load_data=False)
    with app.app_context():
        table, revision = inventory_store.overlay_table()
    text = write_overlay_csv(table)
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise TechValleyError(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"{len(table)} edit(s), inventory revision {revision}", err=True)


@inventory.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
@user_errors
def inventory_import(csv_file: Path) -> None:
    """Add the edits of an overlay CSV (CSV_FILE) to the store; rows it has already are skipped.

    Every row is checked first against the served dataset (TECHVALLEY_DATA): nothing is
    stored when one is wrong.
    """
    import valleys
    from valleys.overlay import check_overlay, land_of, read_overlay_csv
    from web import create_app, inventory_store

    table = read_overlay_csv(csv_file)
    app = create_app(load_data=False)
    dataset = valleys.load_dataset(app.config.get("TECHVALLEY_DATA"))
    with app.app_context():
        stored, _ = inventory_store.overlay_table()
        # a zone the store created may be edited by the file
        checked = check_overlay(table, [*dataset.zones["id"].astype(str), *stored["zone_id"]],
                                land=land_of(dataset), name=str(csv_file))
        added = inventory_store.import_rows(checked.to_dict("records"))
    click.echo(f"{csv_file}: {added} edit(s) added, {len(table) - added} already in the store",
               err=True)


main.add_command(serve)
main.add_command(create_staff_command)
main.add_command(inventory)
