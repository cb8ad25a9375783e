"""In development a new resident can try the portal with their own identity: the simulated exchange
gives a valid ID number it does not know an ordinary record under the name typed; seeded people keep
their fixed records, so a mismatch still shows (issue 12, item 19). Over real HTTP."""

import pytest

from applications.crosscheck.exchange import Outcome, adapter_for, verify_identity
from applications.crosscheck.exchange.client import enrol_resident
from tests.applications.builders import fresh_id_number

pytestmark = pytest.mark.django_db


def test_an_unknown_valid_number_is_verified_under_the_name_typed(exchange, settings):
    settings.EXCHANGE_SIMULATED = True
    number = fresh_id_number(born="19900512")
    check = verify_identity("赵新民", number)
    assert check.outcome == Outcome.PASS
    assert check.result.facts["name"] == "赵新民" and check.result.facts["status"] == "normal"
    # An ordinary record in every department: the cross-check finds them too.
    assert adapter_for("property").query([number])[number].facts["property_count"] == 0
    assert adapter_for("death").query([number])[number].facts["deceased"] is False
    # The first name typed stays: another name for the same number is a mismatch.
    assert verify_identity("钱多多", number).outcome == Outcome.FAIL


def test_a_seeded_person_keeps_the_fixed_record(exchange, settings):
    settings.EXCHANGE_SIMULATED = True
    number, record = next((n, r) for n, r in exchange.records["hukou"].items()
                          if r.get("status") == "normal" and not r.get("simulate"))
    assert verify_identity("某某某", number).outcome == Outcome.FAIL
    assert verify_identity(record["name"], number).outcome == Outcome.PASS


def test_an_invalid_number_is_not_enrolled(exchange):
    assert enrol_resident("赵新民", "230602199005120000") is False
    assert not exchange.knows("230602199005120000")


def test_without_the_simulated_setting_nothing_is_enrolled(exchange, settings):
    settings.EXCHANGE_SIMULATED = False
    number = fresh_id_number(born="19900512")
    assert verify_identity("赵新民", number).outcome == Outcome.UNKNOWN
    assert not exchange.knows(number)
