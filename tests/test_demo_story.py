"""seed_demo tells one story end to end (tenancy/demo_story.py): 周建民's household from registering to
moving out, every step by the right person with a reason, on dates over about three years; 赵建华
(butie01) is paid a subsidy every month; a second run changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from gongzufang.models import User
from tenancy import demo_story

pytestmark = pytest.mark.django_db

APPLICANT = demo_story.PHONE

# (record, to status, who) in the order they happened.
STORY = [
    ("application", "submitted", APPLICANT),
    ("application", "accepted", "saertu_jd"),
    ("application", "cross_check", "saertu_jd"),
    ("application", "district_review", None),  # the departments answered
    ("application", "public_notice", "saertu"),
    ("application", "city_review", "saertu"),
    ("application", "approved", "shi"),
    ("waitlist", "waiting", "shi"),
    ("round", "draft", "saertu"),
    ("round", "published", "saertu"),
    ("round", "drawn", "saertu"),
    ("offer", "held", APPLICANT),
    ("lease", "draft", None),
    ("lease", "issued", None),
    ("lease", "signed", APPLICANT),
    ("offer", "signed", APPLICANT),
    ("waitlist", "allocated", APPLICANT),
    ("lease", "active", "saertu"),
    ("review", "opened", None),
    ("review", "declared", APPLICANT),
    ("review", "checking", None),
    ("review", "decided", "saertu"),
    ("exit", "opened", APPLICANT),
    ("exit", "decided", "saertu"),
    ("exit", "move_out", "saertu"),
    ("exit", "inspected", "saertu"),
    # the settlement ends the lease first (the deposit refund goes through the bank for an ended lease)
    ("lease", "terminated", "saertu"),
    ("exit", "settled", "saertu"),
    ("exit", "closed", "saertu"),
]


def _records(user):
    from allocation.models import Offer, WaitlistEntry
    from rent.models import Lease
    from tenancy.models import AnnualReview, ExitCase

    application = user.applications.get()
    entry = WaitlistEntry.objects.get(application=application)
    offer = Offer.objects.get(round_entry__entry=entry)
    lease = Lease.objects.get(offer=offer)
    return {"application": application, "waitlist": entry, "round": offer.round_entry.round, "offer": offer,
            "lease": lease, "review": AnnualReview.objects.get(lease=lease), "exit": ExitCase.objects.get(lease=lease)}


def _history(records):
    rows = []
    for label, record in records.items():
        for change in record.status_changes.select_related("actor"):
            rows.append((change.created_at, change.pk, label, change))
    rows.sort(key=lambda row: row[:2])
    assert len({at for at, *_rest in rows}) == len(rows), "no two steps at the same minute"
    return [(label, change) for _at, _pk, label, change in rows]


def _fingerprint():
    """Every table's row count (a second run adds nothing)."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}


def test_seed_demo_tells_the_whole_story_through_the_services_and_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    user = User.objects.get(username=APPLICANT)
    records = _records(user)
    history = _history(records)

    assert [(label, c.to_status, c.actor.username if c.actor else None) for label, c in history] == STORY
    assert all(c.opinion.strip() for _label, c in history), "every step says why"
    assert [c.actor_level for label, c in history if label == "application"] == [
        "applicant", "street", "street", "system", "district", "district", "city"]

    # About three years, every step on its own day, none in the future.
    today = timezone.localdate()
    first, last = timezone.localdate(history[0][1].created_at), timezone.localdate(history[-1][1].created_at)
    assert timedelta(days=2 * 365 + 300) <= last - first <= timedelta(days=3 * 365)
    assert last < today and first > today - timedelta(days=3 * 366)
    assert timezone.localdate(user.date_joined) < first  # registered (and verified) before applying
    assert user.id_verified_at and user.real_name == demo_story.NAME

    application, lease, exit_case = records["application"], records["lease"], records["exit"]
    assert application.assistance_type == "unit" and application.household.members.count() == 3
    assert records["waitlist"].qualified_on == timezone.localdate(application.decided_at)
    assert lease.handover.handed_over_on == lease.start_on and lease.handover.staff.username == "saertu"
    assert lease.status == "terminated" and lease.unit.status == "vacant"

    # Rent: a bill every month from the lease's start to the move-out month, every one paid, online and at the counter.
    bills = list(lease.bills.order_by("period"))
    periods = [b.period for b in bills]
    assert periods[0] == lease.start_on.replace(day=1) and len(bills) >= 20
    assert all((b.period.year * 12 + b.period.month) - (a.period.year * 12 + a.period.month) == 1
               for a, b in zip(bills, bills[1:], strict=False))
    assert all(b.status == "paid" and timezone.localdate(b.paid_at) >= b.period for b in bills)
    methods = list(lease.payments.order_by("paid_at").values_list("method", flat=True))
    assert len(methods) == len(bills) and {"online", "cash"} <= set(methods)
    counter = lease.payments.filter(method="cash").first()
    assert counter.recorded_by.username == "saertu"
    online = lease.payments.filter(method="online").select_related("order").first()
    assert online.order.status == "paid" and online.bank_txn_id

    # The annual review passed; the exit settled the deposit less one deduction.
    review = records["review"]
    assert review.outcome == "continue" and review.year == lease.start_on.year + 1
    assert exit_case.ground == "voluntary" and exit_case.refund_amount == exit_case.deposit - exit_case.deductions_total
    assert exit_case.deductions_total > 0

    # The subsidy household: paid every month (three consecutive months, one payment each).
    from subsidies.models import PaymentStatus, SubsidyPayment

    paid = list(SubsidyPayment.objects.filter(grant__applicant__username="butie01", status=PaymentStatus.PAID)
                .order_by("period").values_list("period", "amount"))
    assert len(paid) == 3 and all(amount > 0 for _p, amount in paid)
    months = [p.year * 12 + p.month for p, _a in paid]
    assert months == list(range(months[0], months[0] + 3))
    assert months[-1] == today.year * 12 + today.month - 1  # up to last month

    before = (_fingerprint(), [(c.pk, c.created_at) for _l, c in history])
    out = StringIO()
    call_command("seed_demo", stdout=out)
    after = (_fingerprint(), [(c.pk, c.created_at) for _l, c in _history(_records(user))])
    assert after == before
    # Its log-in is in the printed list, with what it shows.
    line = next(line for line in out.getvalue().splitlines() if line.strip().startswith(APPLICANT))
    assert demo_story.NAME in line and "退租" in line
