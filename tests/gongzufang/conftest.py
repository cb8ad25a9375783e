"""Browser settings for the gongzufang suites (DESIGN §17): Debian's chromium through Playwright,
a phone-sized window (same as tests/housing/conftest.py; to move to tests/conftest.py), and
`portal_in_browser`, which serves the portal to the browser from inside the test."""

import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"需要 Debian 的 chromium（{CHROMIUM}）：make browser-deps")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 375, "height": 812}, "locale": "zh-CN"}



PORTAL_ORIGIN = "http://portal.test"


@pytest.fixture
def portal_in_browser(page, db, settings):
    """The browser's requests to PORTAL_ORIGIN are answered by Django through the test client,
    on the test's own database connection, inside the test's transaction.

    Why not `live_server`: it needs a transactional database, whose flush at the end empties the
    tables migrations filled (districts, article categories, the guide); pytest-playwright's
    session-wide browser parameter reorders tests so that others run after that flush and fail.
    Here nothing is flushed, and the browser still fetches, renders and decodes every page and
    image for real. Playwright calls the handler on its own thread while the test waits, so the
    handler borrows the test's connection (as LiveServerTestCase does for in-memory SQLite): one
    request at a time, never at the same time as the test. Returns the origin to open."""
    from django.db import connections
    from django.test import Client

    client = Client(raise_request_exception=False)
    connection = connections["default"]
    connection.inc_thread_sharing()

    def answer(route, request):
        connections["default"] = connection
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"HTTP_USER_AGENT": request.headers.get("user-agent", ""),
                   "HTTP_ACCEPT_LANGUAGE": request.headers.get("accept-language", "")}
        if request.method == "GET":
            response = client.get(path, **headers)
        else:
            response = client.generic(
                request.method, path, request.post_data_buffer or b"",
                content_type=request.headers.get("content-type", ""), **headers,
            )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    page.route(f"{PORTAL_ORIGIN}/**", answer)
    yield PORTAL_ORIGIN
    page.unroute(f"{PORTAL_ORIGIN}/**")
    connection.dec_thread_sharing()
