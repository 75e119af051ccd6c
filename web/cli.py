"""The ``techvalley`` console script: assembles the commands of every package.

Imports run one way (valleys -> matching -> web), so the assembly lives here, at the top.
"""

from __future__ import annotations

import click

from matching.cli import cli as matching_cli
from valleys.cli import cli as valleys_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="techvalley")
def main() -> None:
    """techvalley: site selection and investor matching for Morocco's Tech Valleys."""


@click.group()
def web_cli() -> None:
    """Web commands."""


for _group in (valleys_cli, matching_cli, web_cli):
    for _name, _command in _group.commands.items():
        main.add_command(_command, _name)
