"""The ``techvalley`` console script: assembles the commands of every package.

Imports run one way (valleys -> matching -> web), so the assembly lives here, at the top.
"""

from __future__ import annotations

import sys

import click

import matching.settings  # noqa: F401  (every settings module read before a command runs)
from matching.cli import cli as matching_cli
from valleys.cli import cli as valleys_cli
from valleys.cli import user_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="techvalley")
def main() -> None:
    """techvalley: site selection and investor matching for Morocco's Tech Valleys."""


@click.group()
def web_cli() -> None:
    """Web commands."""


@web_cli.command("serve")
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

    workers = workers or int(from_env()["TECHVALLEY_SERVE_WORKERS"])
    sys.exit(run(host=host, port=port, data_path=data_path, threads=threads, workers=workers))


@web_cli.command("create-staff")
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


for _group in (valleys_cli, matching_cli, web_cli):
    for _name, _command in _group.commands.items():
        main.add_command(_command, _name)
