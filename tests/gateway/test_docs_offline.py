"""``/v1/docs/`` works without the internet: Swagger UI's files come from the web process."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


class _Assets(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag in {"script", "img"} else None
        if tag == "link":
            url = found.get("href")
        if url:
            self.urls.append(url)


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


def test_the_docs_page_loads_nothing_from_another_host(api):
    response = api.get("/v1/docs/")
    html = response.content.decode()
    urls = _assets(html)

    assert response.status_code == 200
    assert f"{SIDECAR}swagger-ui-bundle.js" in urls
    assert f"{SIDECAR}swagger-ui.css" in urls
    # every asset is a path on this server: no scheme, no protocol-relative //host
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    # and nothing in the page names another host (a CDN, the online spec validator)
    assert "://" not in html
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html


def test_the_docs_assets_are_served_by_the_app(api):
    urls = _assets(api.get("/v1/docs/").content.decode())

    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_collectstatic_gathers_the_docs_assets_and_they_are_served_from_static_root(
    api, tmp_path: Path, settings
):
    # given the production set-up: collected, compressed files, no finders
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")
    urls = _assets(api.get("/v1/docs/").content.decode())

    # when a fresh web process (its WhiteNoise reads STATIC_ROOT at start) serves them
    with override_settings(WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        client = APIClient()
        responses = {url: client.get(url, HTTP_ACCEPT_ENCODING="gzip") for url in urls}

    # then every asset the page names was collected and is served, compressed where it helps
    for url in urls:
        assert (tmp_path / url.removeprefix("/static/")).is_file(), url
        assert responses[url].status_code == 200, url
    assert responses[f"{SIDECAR}swagger-ui-bundle.js"]["Content-Encoding"] == "gzip"
