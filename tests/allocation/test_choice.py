"""The rules of choosing a unit (选房) and of offers: DESIGN §7 and issue 13 "Unit choice and offers"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from allocation.choice import services as choice
from allocation.choice.models import ChoiceWindow
from allocation.models import Offer, RoundEntry, WaitlistEntry
from gongzufang.errors import PortalError
from gongzufang.workflow import NotFound, PermissionDenied
from housing.models import Unit
from notifications.models import SiteMessage, SmsOutbox
from tests.allocation import builders as alloc_builders
from tests.allocation.choice_builders import applicant_of, choose, code_for, open_round

pytestmark = pytest.mark.django_db


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_choosing_holds_the_unit_and_reserves_it(dave, django_capture_on_commit_callbacks):
    _round, rows, units = open_round(dave)
    with django_capture_on_commit_callbacks(execute=True):
        offer = choose(rows[0], units[0])
    assert offer.status == Offer.Status.HELD and not offer.at_counter
    assert offer.sign_by == timezone.localdate() + timedelta(days=7)  # allocation.offer_sign_days
    assert _reload(units[0]).status == Unit.Status.RESERVED
    assert offer.status_changes.get().opinion.startswith("网上选房")
    # The household is told, with the sign-by date (task run on commit, in process in tests).
    message = SiteMessage.objects.get(recipient=applicant_of(rows[0]), dedup_key=f"offer-held:{offer.pk}")
    assert f"{offer.sign_by:%Y-%m-%d}" in message.title
    assert ChoiceWindow.objects.get(round_entry=rows[0]).outcome == "chosen"


def test_wrong_code_refused_and_counted(dave):
    _round, rows, units = open_round(dave)
    code_for(rows[0])
    with pytest.raises(PortalError, match="验证码不正确，还可以再试 4 次"):
        choice.offer_choose(round_entry=rows[0], unit=units[0], actor=applicant_of(rows[0]), sms_code="000000")
    assert not Offer.objects.exists() and _reload(units[0]).status == Unit.Status.VACANT


def test_closed_or_not_yet_open_window_refused(dave):
    _round, rows, units = open_round(dave, entries=2, per_window=1, hours=1,
                                     starts_at=timezone.now() - timedelta(minutes=90))
    # rows[0]'s window closed 30 minutes ago; rows[1]'s is open now.
    with pytest.raises(PortalError, match="选房时间已于"):
        choice.offer_choose(round_entry=rows[0], unit=units[0], actor=applicant_of(rows[0]), sms_code="123456")
    assert choose(rows[1], units[0]).status == "held"
    _r2, later, units2 = open_round(dave, entries=2, per_window=1, starts_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(PortalError, match="现在还不能选房"):
        choice.offer_choose(round_entry=later[0], unit=units2[0], actor=applicant_of(later[0]), sms_code="123456")
    assert not Offer.objects.filter(round_entry__in=later).exists()


def test_larger_unit_refused_smaller_allowed(dave):
    _round, rows, _units = open_round(dave, entries=2, unit_count=1, bedrooms=1)
    # A two-bedroom unit added to the round, as the round could hold it (filters) for larger households.
    from allocation.models import RoundUnit

    two = alloc_builders.units(count=1, bedrooms=2)[0]
    RoundUnit.objects.create(round=rows[0].round, unit=two)
    with pytest.raises(PortalError, match="超过您家庭（1 人）可选的 1 居室"):
        choose(rows[0], two)
    assert _reload(two).status == Unit.Status.VACANT
    # A household of three may have two bedrooms, and may choose a smaller unit.
    WaitlistEntry.objects.filter(pk=rows[1].entry_id).update(household_size=3, max_bedrooms=2)
    one = _units[0]
    assert choose(RoundEntry.objects.get(pk=rows[1].pk), one).unit_id == one.pk


def test_second_live_offer_refused_and_taken_unit_refused(dave):
    _round, rows, units = open_round(dave)
    choose(rows[0], units[0])
    with pytest.raises(PortalError, match="您已选定房屋"):
        choose(rows[0], units[1])
    with pytest.raises(PortalError, match="该房屋已被其他家庭选定，请另选。"):
        choose(rows[1], units[0])
    assert Offer.objects.count() == 1 and _reload(units[1]).status == Unit.Status.VACANT


def test_unit_not_in_round_refused(dave):
    _round, rows, _units = open_round(dave)
    other = alloc_builders.units(count=1)[0]
    with pytest.raises(PortalError, match="不在本次配租方案"):
        choose(rows[0], other)


def test_another_households_or_districts_choice_is_not_found(dave, bob):
    _round, rows, units = open_round(dave)
    with pytest.raises(NotFound):
        choice.offer_choose(round_entry=rows[0], unit=units[0], actor=applicant_of(rows[1]), sms_code="123456")
    # Staff of another district at the counter: not found, as for a wrong id.
    from django.contrib.auth.models import Permission

    bob.user_permissions.add(Permission.objects.get(codename="choose_at_counter"))
    bob = type(bob).objects.get(pk=bob.pk)
    with pytest.raises(NotFound):
        choice.offer_choose(round_entry=rows[0], unit=units[0], actor=bob, at_counter=True)
    assert not Offer.objects.exists()


def test_counter_choice_recorded_as_such(dave, carol):
    _round, rows, units = open_round(dave)
    offer = choice.offer_choose(round_entry=rows[0], unit=units[0], actor=dave, at_counter=True)
    assert offer.at_counter and offer.chosen_by == dave
    assert "现场选房" in offer.status_changes.get().opinion
    with pytest.raises(PermissionDenied, match="现场选房"):
        choice.offer_choose(round_entry=rows[1], unit=units[1], actor=carol, at_counter=True)


def test_refusing_counts_and_two_refusals_suspend(dave):
    _round, rows, units = open_round(dave)
    user = applicant_of(rows[0])
    first = choose(rows[0], units[0])
    choice.offer_refuse(offer=first, actor=user, reason="楼层太高")
    first = _reload(first)
    assert first.status == Offer.Status.REFUSED and first.refusal_counts
    assert _reload(units[0]).status == Unit.Status.VACANT  # free again for the others
    entry = WaitlistEntry.objects.get(pk=rows[0].entry_id)
    assert entry.refusals == 1 and entry.status == WaitlistEntry.Status.WAITING
    second = choose(RoundEntry.objects.get(pk=rows[0].pk), units[1])
    choice.offer_refuse(offer=second, actor=user)
    entry.refresh_from_db()
    assert entry.refusals == 2 and entry.status == WaitlistEntry.Status.SUSPENDED
    assert entry.suspended_until is not None
    assert "累计拒绝 2 次" in entry.status_changes.filter(to_status="suspended").get().opinion
    # A suspended household cannot choose again.
    with pytest.raises(PortalError, match="暂停轮候"):
        choice.offer_choose(round_entry=rows[0], unit=units[2], actor=user, sms_code="123456")


def test_withdraw_by_staff_does_not_count(dave):
    _round, rows, units = open_round(dave)
    offer = choose(rows[0], units[0])
    with pytest.raises(PermissionDenied):
        choice.offer_withdraw(offer=offer, actor=applicant_of(rows[0]), reason="x")
    choice.offer_withdraw(offer=offer, actor=dave, reason="房屋漏水，需维修")
    offer = _reload(offer)
    assert offer.status == Offer.Status.WITHDRAWN and not offer.refusal_counts
    assert WaitlistEntry.objects.get(pk=rows[0].entry_id).refusals == 0
    assert _reload(units[0]).status == Unit.Status.VACANT


def test_expiry_counts_as_refusal_and_is_idempotent(dave):
    _round, rows, units = open_round(dave)
    offer = choose(rows[0], units[0])
    later = offer.sign_by + timedelta(days=1)
    assert choice.offers_expire_due(today=offer.sign_by) == 0  # the last day is still in time
    assert choice.offers_expire_due(today=later) == 1
    assert choice.offers_expire_due(today=later) == 0
    offer = _reload(offer)
    assert offer.status == Offer.Status.EXPIRED and offer.refusal_counts
    assert "未在签约期限" in offer.reason
    assert WaitlistEntry.objects.get(pk=rows[0].entry_id).refusals == 1
    assert _reload(units[0]).status == Unit.Status.VACANT


def test_missed_window_counts_but_no_fit_does_not(dave):
    # Three households, one unit, windows of one hour for one household each, all now closed.
    starts = timezone.now() - timedelta(hours=3, minutes=1)
    _round, rows, units = open_round(dave, entries=3, unit_count=1, per_window=1, hours=1, starts_at=starts)
    # The job runs just after the first window closed: the unit was still there, so it counts.
    empty = {"missed": 0, "no_fit": 0, "chosen": 0, "not_waiting": 0}
    assert choice.windows_close_due(now=starts + timedelta(hours=1, minutes=1)) == {**empty, "missed": 1}
    first = WaitlistEntry.objects.get(pk=rows[0].entry_id)
    assert first.refusals == 1
    window = ChoiceWindow.objects.get(round_entry=rows[0])
    assert window.outcome == "missed" and window.refusal_counted
    # Staff cannot choose at the counter for a window already counted as missed.
    with pytest.raises(PortalError, match="已按未选房计入拒绝"):
        choice.offer_choose(round_entry=rows[0], unit=units[0], actor=dave, at_counter=True)
    # The second household chose (at the counter); the third then had no unit that fits left.
    choice.offer_choose(round_entry=rows[1], unit=units[0], actor=dave, at_counter=True)
    assert choice.windows_close_due() == {**empty, "chosen": 1, "no_fit": 1}
    assert choice.windows_close_due() == empty  # idempotent
    assert WaitlistEntry.objects.get(pk=rows[2].entry_id).refusals == 0
    assert not ChoiceWindow.objects.get(round_entry=rows[2]).refusal_counted
    # Both outcomes are in the households' waitlist histories with their reasons.
    third = WaitlistEntry.objects.get(pk=rows[2].entry_id)
    assert third.status == "waiting"
    assert "已无适合您家庭的房源，不计入拒绝配租" in third.status_changes.order_by("pk").last().opinion
    assert "未在选房时间内选房" in first.status_changes.order_by("pk").last().opinion
    assert WaitlistEntry.objects.get(pk=rows[0].entry_id).refusals == 1  # counted once


def test_window_open_notice_sent_once_with_an_absolute_link(dave, settings, client):
    settings.PORTAL_BASE_URL = "https://gzf.daqing.example.cn/"
    _round, rows, _units = open_round(dave, entries=2)
    assert choice.windows_open_notify() == 2
    assert choice.windows_open_notify() == 0
    user = applicant_of(rows[0])
    assert SiteMessage.objects.filter(recipient=user, dedup_key=f"choice-window:{rows[0].pk}").count() == 1
    sms = SmsOutbox.objects.filter(phone=user.phone, purpose="choice_window")
    assert sms.count() == 1 and rows[0].ref in sms.get().text
    # The link in the SMS is absolute (a phone has no page to resolve a relative one against), and
    # it opens the household's own choice page.
    link = re.search(r"https?://\S+", sms.get().text).group(0)
    path = reverse("allocation:choice", args=[rows[0].pk])
    assert link == f"https://gzf.daqing.example.cn{path}"
    client.force_login(user)
    assert client.get(path).status_code == 200


def test_voiding_a_round_frees_the_units_its_households_had_chosen(dave, chen):
    from allocation import services as allocation_services

    round_, rows, units = open_round(dave)
    offer = choose(rows[0], units[0])
    assert _reload(units[0]).status == Unit.Status.RESERVED
    allocation_services.round_void(round=round_, actor=chen, reason="公证人员未到场，方案作废重摇")
    offer = _reload(offer)
    assert offer.status == Offer.Status.WITHDRAWN and not offer.refusal_counts
    assert _reload(units[0]).status == Unit.Status.VACANT
    assert WaitlistEntry.objects.get(pk=rows[0].entry_id).refusals == 0
