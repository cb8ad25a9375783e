"""Fixtures of the applications suites: the simulated exchange on a free local port (real HTTP),
applicants with verified identities, and the chromium launch for the browser test."""

import copy

import pytest

from applications.exchange.simulated import SimulatedExchange, load_records

# People seeded in applications/exchange/fixtures/records.json (公安户籍).
WANG_LI = ("王丽", "230602198503150022")
LI_MING = ("李明", "230602199001011238")
LI_XIAOYU = ("李小雨", "230603201206080049")
ZHANG_WEI = ("张伟", "230602198807203015")
ZHAO_QIANG = ("赵强", "230603199202110052")
ZHOU_DE_DECEASED = ("周德", "230602196001010071")
CHEN_HAO_GARBAGE = ("陈浩", "230602199308080094")
NOT_IN_HUKOU = "230602200001010013"


@pytest.fixture
def exchange(settings):
    """The simulated exchange on a free port, with the seeded records; EXCHANGE_URL points at it."""
    server = SimulatedExchange(copy.deepcopy(load_records()), port=0, hang_seconds=10)
    server.start()
    settings.EXCHANGE_URL = server.url
    settings.EXCHANGE_TIMEOUT_SECONDS = 2.0
    yield server
    server.stop()


@pytest.fixture
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium: Playwright's own browser download does not work here (DESIGN §17).
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ],
    }
