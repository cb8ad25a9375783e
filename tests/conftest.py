"""Personas used across the suites (DESIGN §3):

- alice: an applicant
- carol: acceptance clerk of a street in district A (萨尔图区 230602)
- dave: district caseworker of district A; bob: of district B (龙凤区 230603)
- chen: city caseworker
- api_a: an API client of district A (with its token)
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.db import connection

from gongzufang.services.api_clients import api_client_issue
from tests import factories

DISTRICT_A = "230602"
DISTRICT_B = "230603"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop in tests


@pytest.fixture
def district_a(db):
    return factories.district(DISTRICT_A)


@pytest.fixture
def district_b(db):
    return factories.district(DISTRICT_B)


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice", real_name="王丽")


@pytest.fixture
def carol(db):
    return factories.ClerkFactory(username="carol", real_name="陈静", street=factories.first_street(DISTRICT_A))


@pytest.fixture
def dave(db, district_a):
    return factories.DistrictCaseworkerFactory(username="dave", real_name="刘伟", district=district_a)


@pytest.fixture
def bob(db, district_b):
    return factories.DistrictCaseworkerFactory(username="bob", real_name="张强", district=district_b)


@pytest.fixture
def chen(db):
    return factories.CityCaseworkerFactory(username="chen", real_name="陈敏")


@pytest.fixture
def api_a(db, district_a):
    client, token = api_client_issue(name="萨尔图区住建局系统", district=district_a)
    client.token = token
    return client


@pytest.fixture
def api_a_readonly(db, district_a):
    client, token = api_client_issue(name="萨尔图区只读", district=district_a, can_write=False)
    client.token = token
    return client


@pytest.fixture
def api_city(db):
    client, token = api_client_issue(name="市局数据中心", district=None)
    client.token = token
    return client


def api_client_for(client):
    from rest_framework.test import APIClient

    api = APIClient()
    if client is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Token {client.token}")
    return api


@pytest.fixture
def on_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（行锁与真实并发）；设置 DATABASE_URL 后运行")


@pytest.fixture(autouse=True)
def _tasks_run_in_process(settings):
    """Tasks run eagerly in tests even when REDIS_URL is set; the real-worker test opts out."""
    from celery._state import _set_task_join_will_block

    from gongzufang.celery import app

    # Two eager tasks on two threads at once (the race tests) can leave Celery's process-wide
    # "a task is running" flag set, after which any result.get() refuses; start each test clean.
    _set_task_join_will_block(False)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _worker_redis_url(url):
    # One Redis database per xdist worker: cache.clear() empties a whole database, and must not
    # empty the other worker's (database 0 stays the broker's).
    from urllib.parse import urlsplit, urlunsplit

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = 1 + int(worker[2:] or 0) % 14
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{index}"))


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # A rolled-back test sends no signal, so per-process memos (the calendar's) are reset too.
    from django.core.cache import cache

    from gongzufang import workdays

    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("RedisCache"):
        settings.CACHES = {"default": {**default, "LOCATION": _worker_redis_url(settings.REDIS_URL)}}
    cache.clear()
    workdays.invalidate_cache()
    yield
    workdays.invalidate_cache()


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploads (photos, materials) go to a temporary MEDIA_ROOT, never the developer's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# ---------------------------------------------------------------- the simulated bank (gongzufang/bank, docs/bank.md)

BANK_TEST_SECRET = "test-bank-notify-secret"


@pytest.fixture
def simulated_bank(request, settings):
    """A running SimulatedBank over real HTTP; settings.BANK_URL points at it and BANK_NOTIFY_SECRET is
    the secret it signs with. Notifications go to the order's notify_url: with `live_server` among the
    test's fixtures, settings.PORTAL_BASE_URL is the live server's URL, so a portal that builds
    notify_url from PORTAL_BASE_URL is really called back. Retries are quick (0.05 s, 0.1 s, …)."""
    from gongzufang.bank.simulated import SimulatedBank

    settings.BANK_NOTIFY_SECRET = BANK_TEST_SECRET
    if "live_server" in request.fixturenames:
        settings.PORTAL_BASE_URL = request.getfixturevalue("live_server").url
    server = SimulatedBank(notify_secret=BANK_TEST_SECRET, port=0, retry_delays=(0, 0.05, 0.1, 0.2, 0.5),
                           max_attempts=20, notify_timeout=5.0)
    server.start()
    settings.BANK_URL = server.url
    yield server
    server.stop()


# ---------------------------------------------------------------- browser (Playwright + Debian chromium, DESIGN §17)

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
    # A phone-sized window: the portal is mobile first.
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

    # A fulfilled redirect's next request is not routed (Playwright #23301): it fails, Chromium shows its
    # error page and reloads it on its own about a second later, and that reload is routed here. A goto
    # issued meanwhile is "interrupted by another navigation" (to chrome-error://, or to the page being
    # reloaded). That is the interception, not the portal: let the reload land, then go again. A click
    # that navigates should wait for its page (tests/browser.py click_and_wait), so this is the fallback.
    from playwright.sync_api import Error as PlaywrightError

    goto = page.goto

    def goto_once_settled(url, **kwargs):
        try:
            return goto(url, **kwargs)
        except PlaywrightError as exc:
            if "chrome-error://" not in str(exc) and "interrupted by another navigation" not in str(exc):
                raise
            page.wait_for_url(lambda current: not current.startswith("chrome-error://"))
            page.wait_for_load_state()
            return goto(url, **kwargs)

    page.goto = goto_once_settled
    yield PORTAL_ORIGIN
    page.unroute(f"{PORTAL_ORIGIN}/**")
    connection.dec_thread_sharing()


def pytest_collection_modifyitems(items):
    """Base data (districts, calendar, guide, groups) is recreated by post_migrate after every flush
    (gongzufang/base_data.py); serialized_rollback would insert it a second time, so it is refused.
    A test that asks for `on_postgres` is marked `postgres`, so the summary below counts it."""
    for item in items:
        if "on_postgres" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: serialized_rollback is not needed here — base data is recreated after "
                "every flush — and would insert it twice. Use django_db(transaction=True)."
            )


SKIPPED_LOUDLY = {
    "postgres": "!!! {n} 个仅限 PostgreSQL 的测试被跳过（DATABASE_URL 未指向 PostgreSQL）：行锁与并发均未测试 — "
                "{n} PostgreSQL-only tests were SKIPPED (no DATABASE_URL to PostgreSQL): "
                "row locks and concurrency were NOT tested !!!",
    "redis": "!!! {n} 个需要 Redis 的测试被跳过（未设置 REDIS_URL 或 Redis 未运行）：原子计数与真实任务队列均未测试 — "
             "{n} Redis-only tests were SKIPPED (no REDIS_URL, or Redis not running): "
             "atomic counters and the real task queue were NOT tested !!!",
}


def pytest_terminal_summary(terminalreporter):
    """One loud line (Chinese, then English) when the PostgreSQL-only or Redis-only tests did not run:
    a green run on SQLite says nothing about row locks. Reports carry their markers as keywords, from
    xdist workers too."""
    skipped = terminalreporter.stats.get("skipped", [])
    for marker, message in SKIPPED_LOUDLY.items():
        n = len({r.nodeid for r in skipped if marker in getattr(r, "keywords", {})})
        if n:
            terminalreporter.write_line(message.format(n=n), red=True, bold=True)
