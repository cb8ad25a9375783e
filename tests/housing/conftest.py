"""Fixtures of the housing suites, and the browser launch settings (DESIGN §17).

The browser fixtures are generic (any suite's Playwright tests can use them); they live here until
they move to tests/conftest.py.
"""

import shutil

import pytest

from tests.housing import factories

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploaded photos go to a temporary MEDIA_ROOT, never the developer's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stock_a(db):
    """District A (萨尔图区): a published estate with three published units."""
    return factories.stock("230602", units=3)


@pytest.fixture
def stock_b(db):
    """District B (龙凤区): a published estate with three published units."""
    return factories.stock("230603", units=3)


# ---------------------------------------------------------------- browser (Playwright + Debian chromium)


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
