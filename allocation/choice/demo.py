"""Demo choices for `seed_demo` (idempotent; runs after allocation/demo.py): in the drawn round of
萨尔图区 (230602) the first households of the open window have chosen — two online with an SMS code,
one at the counter (现场选房) — and one chose and then refused (counted, shown in its history). The
fifth household of the window has not chosen yet, so a demo log-in can choose online."""

from django.db import transaction
from django.utils import timezone

from gongzufang.models import User

ONLINE, COUNTER, REFUSER = (1, 2), 3, 4
REFUSAL_REASON = "楼层不合适（演示）"


def seed():
    from allocation.demo import DRAWN_ROUND
    from allocation.models import AllocationRound, Offer, RoundEntry

    round_ = AllocationRound.objects.filter(name=DRAWN_ROUND, status=AllocationRound.Status.DRAWN).first()
    caseworker = User.objects.filter(username="saertu").first()
    if round_ is None or caseworker is None or Offer.objects.filter(round_entry__round=round_).exists():
        return
    rows = {re_.position: re_ for re_ in RoundEntry.objects.filter(round=round_, draw__position__lte=REFUSER)
            .select_related("round", "entry__application__applicant", "draw")}
    with transaction.atomic():
        for position in sorted(rows):
            re_ = rows[position]
            unit = _first_free(re_)
            if unit is None:
                continue
            if position == COUNTER:
                _choose_at_counter(re_, unit, caseworker)
            else:
                offer = _choose_online(re_, unit)
                if position == REFUSER:
                    from allocation.choice import services

                    services.offer_refuse(offer=offer, actor=re_.entry.application.applicant, reason=REFUSAL_REASON)


def _first_free(re_):
    from allocation.choice import selectors

    units = selectors.units_left(re_)
    return units[0] if units else None


def _choose_at_counter(re_, unit, caseworker):
    from allocation.choice import services

    return services.offer_choose(round_entry=re_, unit=unit, actor=caseworker, at_counter=True)


def _choose_online(re_, unit):
    """As the household would: a code issued for it (kept only as its hash) and then entered."""
    from datetime import timedelta

    from allocation.choice import services
    from applications.accounts.services import _code_hash
    from applications.models import SmsCode

    user = re_.entry.application.applicant
    now = timezone.now()
    code = "246810"
    SmsCode.objects.create(phone=user.phone, purpose=services.CODE_PURPOSE, created_at=now,
                           expires_at=now + timedelta(minutes=5),
                           code_hash=_code_hash(user.phone, services.CODE_PURPOSE, code))
    return services.offer_choose(round_entry=re_, unit=unit, actor=user, sms_code=code)
