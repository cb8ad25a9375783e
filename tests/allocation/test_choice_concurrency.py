"""One unit is never given to two households, also under concurrent requests (DESIGN §7, issue 13):
real threads on PostgreSQL, each with its own connection, released together."""

import pytest

from allocation.choice import services
from allocation.models import Offer, OfferStatusChange
from applications.models import SmsCode
from gongzufang.errors import PortalError
from housing.models import Unit, UnitStatusChange
from tests.allocation.choice_builders import applicant_of, code_for, open_round
from tests.helpers import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _choose(round_entry, unit, code):
    return lambda: services.offer_choose(round_entry=round_entry, unit=unit, actor=applicant_of(round_entry),
                                         sms_code=code)


def test_fifty_households_one_unit_exactly_one_offer(on_postgres, dave):
    _round, rows, units = open_round(dave, entries=50, unit_count=1)
    unit = units[0]
    codes = [code_for(re_) for re_ in rows]
    outcomes = at_once(*[_choose(re_, unit, code) for re_, code in zip(rows, codes, strict=True)])
    won = [o for o in outcomes if isinstance(o, Offer)]
    lost = [o for o in outcomes if isinstance(o, PortalError)]
    assert len(won) == 1, outcomes
    assert len(lost) == 49, [o for o in outcomes if not isinstance(o, (Offer, PortalError))]
    assert {o.message for o in lost} == {"该房屋已被其他家庭选定，请另选。"}
    # Nothing half-saved: one offer and its one history row, the unit reserved once, one code used.
    assert Offer.objects.count() == 1 and OfferStatusChange.objects.count() == 1
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.RESERVED
    assert UnitStatusChange.objects.filter(unit=unit, field="status", to_status="reserved").count() == 1
    assert SmsCode.objects.filter(purpose=services.CODE_PURPOSE, used_at__isnull=False).count() == 1
    # The 49 codes were not used up: each household may choose another unit with it.
    assert SmsCode.objects.filter(purpose=services.CODE_PURPOSE, used_at__isnull=True, voided_at__isnull=True).count() == 49


def test_fifty_households_fifty_units_all_succeed(on_postgres, dave):
    _round, rows, units = open_round(dave, entries=50, unit_count=50)
    codes = [code_for(re_) for re_ in rows]
    outcomes = at_once(*[_choose(re_, unit, code) for re_, unit, code in zip(rows, units, codes, strict=True)])
    import traceback
    bad = [o for o in outcomes if not isinstance(o, Offer)]
    assert not bad, "".join(traceback.format_exception(bad[0]))
    assert Offer.objects.filter(status="held").count() == 50
    assert Unit.objects.filter(pk__in=[u.pk for u in units], status="reserved").count() == 50


def test_double_click_same_household_same_unit_one_offer(on_postgres, dave):
    _round, rows, units = open_round(dave, entries=2, unit_count=2)
    code = code_for(rows[0])
    outcomes = at_once(*[_choose(rows[0], units[0], code) for _ in range(5)])
    assert sum(isinstance(o, Offer) for o in outcomes) == 1, outcomes
    assert Offer.objects.count() == 1 and UnitStatusChange.objects.filter(to_status="reserved").count() == 1
