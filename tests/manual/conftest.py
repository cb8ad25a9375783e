"""Fixtures of the 操作手册's journeys (tests/manual/harness.py, issue 18).

`manual_site`: the portal with `seed_demo` loaded, served to the browser as `portal_in_browser`
(tests/conftest.py) serves it. The demo is seeded ONCE PER TEST MODULE, inside a transaction that is
opened before the module's first test and rolled back after its last: each test's own transaction is
a savepoint inside it (pytest-django's TestCase atomics nest), so what a journey changes is undone
after it, and nothing of the demo is left for the next test file on the same xdist worker.
Uploaded files (unit photos, materials) go to one temporary MEDIA_ROOT per module, so the photos the
seed stored are still there when a journey's page shows them.
"""

import copy
import io

import pytest
from django.db import transaction

from tests.conftest import PORTAL_ORIGIN

DEMO_PASSWORD = "Daqing-2026"


@pytest.fixture(scope="module")
def _manual_media(tmp_path_factory):
    return tmp_path_factory.mktemp("manual-media")


@pytest.fixture(scope="module")
def _demo_seeded(django_db_setup, django_db_blocker, _manual_media):
    """seed_demo once for the module, in a transaction rolled back at its end."""
    from celery._state import _set_task_join_will_block
    from django.core.management import call_command
    from django.test import TestCase, override_settings

    from gongzufang.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    _set_task_join_will_block(False)
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=_manual_media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # As `manage.py seed_demo` commits, what it left for after the commit (jobs, messages) runs too.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            app.conf.task_always_eager = eager


@pytest.fixture
def media_root(_manual_media, settings):
    """Overrides tests/conftest.py's: the module's MEDIA_ROOT, where the seed put its photos."""
    settings.MEDIA_ROOT = _manual_media
    return settings.MEDIA_ROOT


@pytest.fixture
def manual_exchange(settings):
    """The simulated department exchange (real-name checks) with its seeded records, as `make run` has it."""
    from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records

    server = SimulatedExchange(copy.deepcopy(load_records()), port=0, hang_seconds=10)
    server.start()
    settings.EXCHANGE_URL = server.url
    settings.EXCHANGE_TIMEOUT_SECONDS = 5.0
    yield server
    server.stop()


@pytest.fixture
def manual_site(_demo_seeded, portal_in_browser, settings):
    """The origin (PORTAL_ORIGIN) of the portal with the demo loaded, answered inside the test's transaction."""
    settings.PORTAL_BASE_URL = PORTAL_ORIGIN
    return portal_in_browser


def login(page, origin, username, password=DEMO_PASSWORD):
    """Log in as a demo user: caseworkers through the admin's form, applicants through the site's."""
    from gongzufang.models import User

    user = User.objects.get(username=username)
    if user.is_staff:
        page.goto(origin + "/admin/login/?next=/admin/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("input[type=submit], button[type=submit]").first.click()
        _landed(page, "/admin/login/", f"{username} 未能登录管理后台")
    else:
        page.goto(origin + "/accounts/login/")
        page.get_by_label("用户名或手机号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        _landed(page, "/accounts/login/", f"{username} 未能登录门户")
    return user


def _landed(page, login_path, message):
    """Wait until the log-in's redirect has landed (the click returns before the navigation starts). The
    redirect first commits Chromium's error page, then its reload lands (harness.click_and_wait says why):
    the error page is not where the log-in went."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_url(lambda url: login_path not in url and not url.startswith("chrome-error://"), timeout=15000)
    except PlaywrightTimeout:
        raise AssertionError(message) from None
    page.wait_for_load_state("load")
