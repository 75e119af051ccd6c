"""Every example in the README and ``docs/`` still runs (issue 10: "every example ... still runs").

The ``sh`` blocks are run line by line the way a reader would type them, in a scratch folder that
sees the repository's ``examples/``, ``geodata/`` and ``tests/``: ``techvalley`` commands in
process (click's runner; a traceback or a non-zero exit fails), ``cat``/``printf`` through bash.
The ``python`` blocks run as they are; the ``yaml`` requirement blocks parse; the ``curl`` example
posts its body to the app. Commands that start a server, ask for a password, rebuild the shipped
dataset or set up the machine are named in :data:`NOT_RUN` with the reason.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "geodata" / "README.md"]
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)

#: first words of commands the test does not run, and why
NOT_RUN = {
    "python3.11": "sets up the machine (the README's own commands; CI runs the test one)",
    "serve": "starts a server (the web tests drive the app in process)",
    "create-staff": "asks for a password on the terminal (tests/web cover it)",
    "build-geodata": "rebuilds the shipped dataset (tests/valleys/test_build.py covers it)",
}

pytestmark = pytest.mark.slow


def _blocks(lang: str) -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            if match.group(1) == lang:
                found.append((f"{doc.relative_to(ROOT)}:{match.group(2)[:40]!r}", match.group(2)))
    return found


def _lines(block: str) -> list[str]:
    """Shell lines with continuations joined, comments dropped, heredocs kept whole."""
    lines: list[str] = []
    raw = block.replace("\\\n", " ").splitlines()
    i = 0
    while i < len(raw):
        line = raw[i]
        heredoc = re.search(r"<<'?(\w+)'?", line)
        if heredoc:
            end = raw.index(heredoc.group(1), i + 1)
            lines.append("\n".join(raw[i:end + 1]))
            i = end + 1
            continue
        line = re.sub(r"\s+#\s.*$", "", line).strip()
        if line and not line.startswith("curl"):
            lines.append(line)
        i += 1
    return lines


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    for name in ("examples", "geodata", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("where", "block"), _blocks("sh"), ids=lambda v: str(v)[:60])
def test_shell_examples_run(where, block, scratch):
    for line in _lines(block):
        words = shlex.split(line.split("<<")[0]) if "<<" in line else shlex.split(line)
        command = words[0].removeprefix(".venv/bin/")
        if command != "techvalley" and not line.startswith("TECHVALLEY_"):
            if command in NOT_RUN:
                continue
            subprocess.run(["bash", "-c", line], check=True, cwd=scratch)
            continue
        if words[0].startswith("TECHVALLEY_"):
            continue  # only `serve` is shown with a setting
        args = words[1:]
        if args and args[0] in NOT_RUN:
            continue
        out_file = None
        if ">" in args:
            out_file = scratch / args[args.index(">") + 1]
            args = args[:args.index(">")]
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{where}: `{line}` raised {result.exception!r}\n{result.output[-2000:]}")
        assert result.exit_code == 0, f"{where}: `{line}` exit {result.exit_code}\n{result.output[-2000:]}"
        if out_file is not None:
            out_file.write_text(result.stdout, encoding="utf-8")


@pytest.mark.parametrize(("where", "block"), _blocks("python"), ids=lambda v: str(v)[:60])
def test_python_examples_run(where, block, scratch):
    exec(compile(block, where, "exec"), {"__name__": "__doc_example__"})


@pytest.mark.parametrize(("where", "block"), _blocks("yaml"), ids=lambda v: str(v)[:60])
def test_yaml_requirement_examples_parse(where, block):
    import yaml

    from matching.requirements import parse_requirements

    document = yaml.safe_load(block)
    if "name" not in document:  # a fragment: completed the way the text around it says
        document = {"name": "Example", "activity": "ITO", "headcount": 100, **document}
    parse_requirements(document)


def test_curl_examples_answer(tmp_path):
    from werkzeug.datastructures import Authorization

    from web import create_app
    from web.auth import create_staff

    curls = [line for _, block in _blocks("sh") for line in _lines_with_curl(block)]
    assert curls, "docs/web.md shows the API with curl"
    app = create_app({"TESTING": True, "TECHVALLEY_RATELIMIT_ENABLED": False,
                      "TECHVALLEY_INSTANCE": str(tmp_path)})
    with app.test_client() as client:
        for line in curls:
            words = shlex.split(line)
            url = next(w for w in words if w.startswith("http"))
            path = "/" + url.split("://", 1)[1].split("/", 1)[1]
            auth = None
            if "-u" in words:  # curl asks for the password; the test gives the account one
                email = words[words.index("-u") + 1]
                with app.app_context():
                    create_staff(email, "a long enough password 1")
                auth = Authorization("basic", {"username": email,
                                               "password": "a long enough password 1"})
            body = json.loads(words[words.index("-d") + 1]) if "-d" in words else None
            answer = (client.post(path, json=body, auth=auth) if body is not None
                      else client.get(path, auth=auth))
            assert answer.status_code < 400, (line, answer.get_json())


def _lines_with_curl(block: str) -> list[str]:
    return [line.strip() for line in block.replace("\\\n", " ").splitlines()
            if line.strip().startswith("curl")]
