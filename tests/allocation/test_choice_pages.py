"""The applicant's choice pages: the window and the free units that fit, choosing with the SMS code
(a double click lands on the same offer), the offer page and refusing with confirmation."""

import pytest
from django.urls import reverse

from allocation.models import Offer, WaitlistEntry
from housing.models import Unit
from tests.allocation import builders as alloc_builders
from tests.allocation.choice_builders import applicant_of, code_for, open_round

pytestmark = pytest.mark.django_db


def test_choice_page_lists_free_units_that_fit(client, dave):
    _round, rows, units = open_round(dave, unit_count=2)
    from allocation.models import RoundUnit

    big = alloc_builders.units(count=1, bedrooms=3)[0]
    RoundUnit.objects.create(round=rows[0].round, unit=big)
    client.force_login(applicant_of(rows[0]))
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    assert reverse("allocation:choice", args=[rows[0].pk]) in page  # 我的轮候 links to the open window
    page = client.get(reverse("allocation:choice", args=[rows[0].pk])).content.decode()
    assert "剩余 2 套" in page
    # by the unit's link, not its bare number (a one-digit number also occurs in the CSRF token)
    assert reverse("housing:unit_detail", args=[units[0].pk]) in page
    assert reverse("housing:unit_detail", args=[big.pk]) not in page


def test_choose_with_code_then_double_click_lands_on_the_offer(client, dave):
    _round, rows, units = open_round(dave)
    client.force_login(applicant_of(rows[0]))
    url = reverse("allocation:choose_unit", args=[rows[0].pk, units[0].pk])
    code = code_for(rows[0])
    first = client.post(url, {"action": "choose", "sms_code": code})
    offer = Offer.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("allocation:offer", args=[offer.pk])
    second = client.post(url, {"action": "choose", "sms_code": code})
    assert second.status_code == 302 and second["Location"] == reverse("allocation:offer", args=[offer.pk])
    assert Offer.objects.count() == 1
    page = client.get(reverse("allocation:offer", args=[offer.pk])).content.decode()
    assert f"{offer.sign_by:%Y-%m-%d}" in page and units[0].number in page


def test_taken_unit_shows_the_clear_message(client, dave):
    _round, rows, units = open_round(dave)
    from allocation.choice import services

    services.offer_choose(round_entry=rows[1], unit=units[0], actor=dave, at_counter=True)
    client.force_login(applicant_of(rows[0]))
    url = reverse("allocation:choose_unit", args=[rows[0].pk, units[0].pk])
    response = client.post(url, {"action": "choose", "sms_code": code_for(rows[0])})
    assert response.status_code == 200
    assert "该房屋已被其他家庭选定，请另选。" in response.content.decode()
    # The code was not used up: the household chooses another unit with it.
    response = client.post(reverse("allocation:choose_unit", args=[rows[0].pk, units[1].pk]),
                           {"action": "choose", "sms_code": _last_code(rows[0])})
    assert response.status_code == 302
    assert Offer.objects.filter(round_entry=rows[0], unit=units[1]).exists()


def _last_code(round_entry):
    import re

    from notifications.models import SmsOutbox

    row = SmsOutbox.objects.filter(phone=applicant_of(round_entry).phone, purpose="code:choose_unit").order_by("-id").first()
    return re.search(r"\d{6}", row.text).group(0)


def test_refuse_needs_confirmation_and_counts(client, dave):
    _round, rows, units = open_round(dave)
    from allocation.choice import services

    offer = services.offer_choose(round_entry=rows[0], unit=units[0], actor=dave, at_counter=True)
    client.force_login(applicant_of(rows[0]))
    url = reverse("allocation:offer", args=[offer.pk])
    response = client.post(url, {"reason": "太远"})
    assert "请勾选确认后再放弃。" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).status == "held"
    response = client.post(url, {"reason": "太远", "confirm": "on"})
    assert response.status_code == 302
    assert Offer.objects.get(pk=offer.pk).status == "refused"
    assert Unit.objects.get(pk=units[0].pk).status == "vacant"
    assert WaitlistEntry.objects.get(pk=rows[0].entry_id).refusals == 1
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    assert "太远" in page and "计入拒绝配租" in page  # shown in the household's history


def test_another_households_pages_are_404(client, dave):
    _round, rows, units = open_round(dave)
    from allocation.choice import services

    offer = services.offer_choose(round_entry=rows[1], unit=units[0], actor=dave, at_counter=True)
    client.force_login(applicant_of(rows[0]))
    assert client.get(reverse("allocation:choice", args=[rows[1].pk])).status_code == 404
    assert client.get(reverse("allocation:choose_unit", args=[rows[1].pk, units[1].pk])).status_code == 404
    assert client.post(reverse("allocation:offer", args=[offer.pk]), {"confirm": "on"}).status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == "held"


def _history(client, user) -> str:
    """The 轮候记录 (waitlist history) part of the household's 我的轮候 page."""
    client.force_login(user)
    page = client.get(reverse("allocation:my_waitlist")).content.decode()
    return page.split("<h2>轮候记录</h2>", 1)[1]


def test_every_refusal_shows_in_the_waitlist_history_with_its_reason(client, dave):
    from datetime import timedelta

    from django.utils import timezone

    from allocation.choice import services

    # Refusing an offer, and not signing in time: two households of an open round.
    _round, rows, units = open_round(dave, entries=2)
    refused = services.offer_choose(round_entry=rows[0], unit=units[0], actor=dave, at_counter=True)
    services.offer_refuse(offer=refused, actor=applicant_of(rows[0]), reason="楼层太高，老人上下不便")
    unsigned = services.offer_choose(round_entry=rows[1], unit=units[1], actor=dave, at_counter=True)
    assert services.offers_expire_due(today=unsigned.sign_by + timedelta(days=1)) == 1
    # Not choosing in one's window (a unit that fits was left): a third household, its window closed.
    starts = timezone.now() - timedelta(hours=2)
    _late_round, late, _late_units = open_round(dave, entries=1, unit_count=1, per_window=1, hours=1, starts_at=starts)
    assert services.windows_close_due()["missed"] == 1

    first = _history(client, applicant_of(rows[0]))
    assert "楼层太高，老人上下不便" in first and "累计 1 次" in first and "满 2 次将暂停轮候 12 个月" in first
    second = _history(client, applicant_of(rows[1]))
    assert f"未在签约期限（{unsigned.sign_by:%Y-%m-%d}）内签约" in second and "累计 1 次" in second
    third = _history(client, applicant_of(late[0]))
    assert "未在选房时间内选房" in third and "累计 1 次" in third
    # Each household's page shows its own refusal only.
    assert "楼层太高" not in second and "楼层太高" not in third
    for row in (rows[0], rows[1], late[0]):
        entry = WaitlistEntry.objects.get(pk=row.entry_id)
        assert entry.status == "waiting" and entry.refusals == 1
        assert entry.status_changes.filter(opinion__contains="计入拒绝配租").count() == 1


def test_window_with_no_unit_that_fits_shows_it_and_its_close_is_not_a_refusal(client, dave):
    from datetime import timedelta

    from django.utils import timezone

    from allocation.choice import services
    from allocation.choice.models import ChoiceWindow
    from allocation.models import RoundUnit

    # Two households of one person, one household an hour each; the first window closed 5 minutes ago,
    # the second is open now. The round has one one-bedroom unit and one two-bedroom unit.
    starts = timezone.now() - timedelta(minutes=65)
    _round, rows, units = open_round(dave, entries=2, unit_count=1, per_window=1, hours=1, starts_at=starts)
    two = alloc_builders.units(count=1, bedrooms=2)[0]
    RoundUnit.objects.create(round=rows[0].round, unit=two)
    first, second = rows
    assert services.window_state(first) == "closed" and services.window_state(second) == "open"
    # The first household took the one-bedroom unit (at the counter); the two-bedroom one is still free,
    # but a household of one may not have it.
    services.offer_choose(round_entry=first, unit=units[0], actor=dave, at_counter=True)

    client.force_login(applicant_of(second))
    page = client.get(reverse("allocation:choice", args=[second.pk])).content.decode()
    assert "剩余 0 套" in page
    assert "本方案中已没有适合您家庭的房屋。无适合房源的，不计入拒绝配租，您将继续轮候。" in page
    assert 'data-testid="choice-unit"' not in page and two.number not in page
    # The larger unit cannot be taken by a direct request either.
    response = client.post(reverse("allocation:choose_unit", args=[second.pk, two.pk]),
                           {"action": "choose", "sms_code": code_for(second)})
    assert response.status_code == 200 and "超过您家庭（1 人）可选的 1 居室" in response.content.decode()
    assert not Offer.objects.filter(round_entry=second).exists()

    # The second window closes with nothing chosen: recorded as "no unit that fits", not a refusal.
    after = starts + timedelta(hours=2, minutes=1)
    assert services.windows_close_due(now=after) == {"missed": 0, "no_fit": 1, "chosen": 1, "not_waiting": 0}
    window = ChoiceWindow.objects.get(round_entry=second)
    assert window.outcome == ChoiceWindow.Outcome.NO_FIT and not window.refusal_counted
    entry = WaitlistEntry.objects.get(pk=second.entry_id)
    assert entry.status == "waiting" and entry.refusals == 0
    history = _history(client, applicant_of(second))
    assert "已无适合您家庭的房源，不计入拒绝配租，继续轮候" in history
    assert "计入拒绝配租，累计" not in history
