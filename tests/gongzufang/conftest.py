"""Browser launch settings for the gongzufang suites (DESIGN §17): Debian's chromium through
Playwright, a phone-sized window. Same as tests/housing/conftest.py; to move to tests/conftest.py."""

import shutil

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
