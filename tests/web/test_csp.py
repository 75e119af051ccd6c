"""Content-Security-Policy without 'unsafe-inline' for scripts: every page's scripts carry the
response's nonce, no page has an inline event handler or a script URL, and no ``_()`` ever
takes data (a msgid from the data comes back marked safe: the stored XSS of issue 9)."""

from __future__ import annotations

import ast
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment
from jinja2.ext import extract_from_ast

from tests.web.conftest import add_staff, csrf_token, login, make_app
from tests.web.hostile_data import (  # noqa: F401  (fixtures)
    HOSTILE_FIELDS,
    SSTI_RESULT,
    all_hostile_app,
    all_hostile_data_path,
)

WEB = Path(__file__).parents[2] / "web"
HOSTILE_STATUS = "<img src=x onerror=alert(1)>"  # the issue's exact input
GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href"}


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def script_src(policy: str) -> list[str]:
    directives = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip()
    )
    return directives["script-src"].split()


def check_page(response, url: str) -> str:
    """Assert the CSP contract on one HTML response; return its nonce."""
    policy = response.headers["Content-Security-Policy"]
    sources = script_src(policy)
    nonces = [s for s in sources if s.startswith("'nonce-")]
    assert len(nonces) == 1, (url, policy)
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, (url, policy)
    nonce = nonces[0][len("'nonce-"):-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", nonce), nonce
    page = response.get_data(as_text=True)
    parser = _Tags()
    parser.feed(page)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    # every "<script" of the source is a real tag (data in JSON is written \u003cscript)
    assert page.lower().count("<script") == len(scripts), url
    for attrs in scripts:
        assert attrs.get("nonce") == nonce, (url, attrs)
    for tag, attrs in parser.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, (url, tag, attrs)
        for name in URL_ATTRIBUTES & attrs.keys():
            value = re.sub(r"[\s\x00-\x1f]", "", attrs[name] or "").lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:text/html")), (url, tag, attrs)
    return nonce


def visit_every_page(app, *, lang: str) -> list[tuple[str, object]]:
    """(url, response) of every HTML page: public, match result, saved, shared and staff."""
    client = app.test_client()
    q = f"lang={lang}"
    out = []
    sites = app.extensions["techvalley_data"].sites
    ids = [str(i) for i in sites.index]
    from flask import url_for

    with app.test_request_context():
        urls = ["/", "/compare", url_for("public.compare", ids=",".join(ids)), "/match"]
        urls += [url_for("public.site", site_id=i) for i in ids]
    for url in urls:
        out.append((url, client.get(url + ("&" if "?" in url else "?") + q)))
    client.post(
        urls[4] + "/inquiry",
        data={"name": HOSTILE_STATUS, "email": "a@example.com", "message": "</script><b>x",
              "csrf_token": csrf_token(client, urls[4])},
    )
    add_staff(app)
    login(client)
    result = client.post(
        f"/match?{q}",
        data={"name": "<img src=x onerror=alert('project')>", "csrf_token": csrf_token(client, "/match")},
    )
    out.append(("POST /match", result))
    page = result.get_data(as_text=True)
    requirements = html.unescape(re.search(r'name="requirements" type="hidden" value="([^"]*)"', page).group(1))
    saved = client.post("/match/save", data={"requirements": requirements, "csrf_token": csrf_token(client, "/match")})
    location = saved.headers["Location"]
    out.append((location, client.get(f"{location}?{q}")))
    token = re.search(r"/s/([A-Za-z0-9_-]+)", out[-1][1].get_data(as_text=True)).group(1)
    out.append((f"/s/{token}", app.test_client().get(f"/s/{token}?{q}")))
    for url in ("/staff/shortlists", "/staff/inquiries", "/staff/planning?resolution=6&percentile=10", "/staff/login"):
        out.append((url, client.get(url + ("&" if "?" in url else "?") + q)))
    out.append(("/no-such-page", client.get(f"/no-such-page?{q}")))
    out.append(("/sites/no-such-zone", client.get(f"/sites/no-such-zone?{q}")))
    return out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_of_a_hostile_dataset_keeps_the_policy(all_hostile_app, lang):  # noqa: F811
    pages = visit_every_page(all_hostile_app, lang=lang)
    nonces = []
    for url, response in pages:
        assert response.status_code == (404 if "no-such" in url else 200), url
        nonces.append(check_page(response, url))
        page = response.get_data(as_text=True)
        assert SSTI_RESULT not in page, (url, "a template evaluated a value")
        for n, (layer, _row, column) in HOSTILE_FIELDS.items():
            # no payload reaches a page raw (autoescaped in markup, \u003c in JSON)
            for raw in (f"onerror=alert({n})>", f"<svg onload=alert({n})>", f"<script>alert({n})"):
                assert raw not in page, (url, layer, column, raw)
    assert len(nonces) == len(set(nonces)) > 10  # a new nonce for every response


def test_not_found_pages_keep_the_policy(client):
    response = client.get("/sites/no-such-zone")
    assert response.status_code == 404
    assert "'unsafe-inline'" not in script_src(response.headers["Content-Security-Policy"])


def test_the_issue_s_hostile_status_shows_as_text_in_both_languages(tiny_data_path, tmp_path):
    import json
    import shutil

    target = tmp_path / "status"
    shutil.copytree(tiny_data_path, target)
    zones = json.loads((target / "zones.geojson").read_text(encoding="utf-8"))
    zones["features"][0]["properties"]["status"] = HOSTILE_STATUS
    (target / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    client = make_app(target, tmp_path / "instance").test_client()
    for lang, operating, developing in (("en", "operating", "under development"),
                                        ("fr", "en activité", "en développement")):
        page = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert HOSTILE_STATUS not in page
        assert (
            '<span class="status status-other">&lt;img src=x onerror=alert(1)&gt;</span>' in page
        )
        # known statuses still translated, with their class
        assert f'<span class="status status-operating">{operating}</span>' in page
        assert f'<span class="status status-under-development">{developing}</span>' in page
        # a zone's facts and the comparison: the same labels, the attack as text
        site = client.get(f"/sites/technopolis?lang={lang}").get_data(as_text=True)
        assert HOSTILE_STATUS not in site
        assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in site
        compare = client.get(f"/compare?ids=technopolis,ctv&lang={lang}").get_data(as_text=True)
        assert f"<td>&lt;img src=x onerror=alert(1)&gt;</td><td>{developing}</td>" in compare


@pytest.mark.parametrize(
    "status, css",
    [
        ("operating", "operating"),
        ("under_development", "under-development"),
        ("Under Development", "under-development"),
        ("closed", "closed"),
        ('x" onmouseover="alert(1)', "other"),
        ("<img src=x onerror=alert(1)>", "other"),
        ("a b", "a-b"), ("x;y", "other"),
    ],
)
def test_status_class_is_a_css_word(status, css):
    from web.i18n import status_class

    assert status_class(status) == css


def test_no_gettext_call_takes_data_in_templates():
    env = Environment(extensions=["jinja2.ext.i18n"])
    offenders = []
    for path in sorted((WEB / "templates").rglob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for lineno, function, message in extract_from_ast(
            tree, gettext_functions=tuple(GETTEXT_NAMES), babel_style=True
        ):  # babel style keeps a non-literal argument, as None
            strings = message if isinstance(message, tuple) else (message,)
            if not strings or strings[0] is None:
                offenders.append(f"{path.relative_to(WEB)}:{lineno} {function}()")
    assert offenders == [], "gettext on a non-literal: " + ", ".join(offenders)


def test_no_gettext_call_takes_data_in_python():
    offenders = []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in GETTEXT_NAMES:
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    offenders.append(f"{path.relative_to(WEB)}:{node.lineno} {name}()")
    assert offenders == [], "gettext on a non-literal: " + ", ".join(offenders)


def test_no_template_marks_data_safe():
    # |safe only on a map's parts (our own builders' HTML and JS, data escaped inside)
    for path in sorted((WEB / "templates").rglob("*.html")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"{{(.*?)}}", line):
                if "|safe" in match.group(1).replace(" ", ""):
                    assert re.fullmatch(r"\s*parts\.(html|script|head\(nonce=csp_nonce\(\)\))\|safe\s*",
                                        match.group(1)), (path, line)
            assert "Markup" not in line and "autoescape false" not in line, (path, line)


def test_map_head_puts_the_nonce_on_every_script_and_refuses_a_bad_one():
    from web.maps import MapParts

    parts = MapParts('<script src="/a.js"></script>\n<SCRIPT>x</SCRIPT><style>s</style>', "", "")
    assert parts.head(nonce="abc_-1") == (
        '<script nonce="abc_-1" src="/a.js"></script>\n<script nonce="abc_-1">x</SCRIPT><style>s</style>'
    )
    with pytest.raises(ValueError):
        parts.head(nonce='x" onload="alert(1)')
