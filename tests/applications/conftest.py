"""Fixtures of the applications suites: the simulated exchange on a free local port (real HTTP) and
applicants with verified identities. Browser launch, MEDIA_ROOT and `portal_in_browser` come from
tests/conftest.py."""

import copy

import pytest

from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records

# People seeded in applications/crosscheck/exchange/fixtures/records.json (公安户籍).
WANG_LI = ("王丽", "230602198503150022")
LI_MING = ("李明", "230602199001011238")
LI_XIAOYU = ("李小雨", "230603201206080049")
ZHANG_WEI = ("张伟", "230602198807203015")
ZHAO_QIANG = ("赵强", "230603199202110052")
ZHOU_DE_DECEASED = ("周德", "230602196001010071")
CHEN_HAO_GARBAGE = ("陈浩", "230602199308080094")
NOT_IN_HUKOU = "230602200001010011"


@pytest.fixture
def exchange(settings):
    """The simulated exchange on a free port, with the seeded records; EXCHANGE_URL points at it."""
    server = SimulatedExchange(copy.deepcopy(load_records()), port=0, hang_seconds=10)
    server.start()
    settings.EXCHANGE_URL = server.url
    settings.EXCHANGE_TIMEOUT_SECONDS = 2.0
    # As the city's exchange: unknown numbers stay unknown (test_exchange_enrol.py turns enrolment on).
    settings.EXCHANGE_SIMULATED = False
    yield server
    server.stop()


def last_code(phone):
    """The verification code last texted to `phone` (from the development SMS outbox)."""
    import re

    from notifications.models import SmsOutbox

    row = SmsOutbox.objects.filter(phone=phone, purpose__startswith="code:").order_by("-id").first()
    assert row is not None, f"no code sent to {phone}"
    return re.search(r"\d{6}", row.text).group(0)


def make_applicant(name, id_number, phone, **extra):
    """An applicant with a verified identity (as after 实名认证)."""
    from django.utils import timezone

    from tests import factories

    return factories.UserFactory(username=phone, phone=phone, real_name=name, id_number=id_number,
                                 id_verified_at=timezone.now(), **extra)


@pytest.fixture
def wang(db):
    """王丽: a verified applicant (alice's real-world twin, with phone and ID number)."""
    return make_applicant(*WANG_LI, "13800000001")


@pytest.fixture
def zhang(db):
    return make_applicant(*ZHANG_WEI, "13800000002")


@pytest.fixture
def zhao(db):
    return make_applicant(*ZHAO_QIANG, "13800000003")
