"""seed_demo's subsidies part: 20+ grants in 萨尔图区 across categories, three paid months, one failed
payment paid in the next batch, one suspended grant; a second run changes nothing."""

import pytest

from gongzufang import demo as core_demo
from gongzufang.models.users import Role
from subsidies import demo
from subsidies.models import GrantStatus, PaymentLine, PaymentStatus, SubsidyBatch, SubsidyGrant, SubsidyPayment

pytestmark = pytest.mark.django_db


def _counts():
    return (SubsidyGrant.objects.count(), SubsidyBatch.objects.count(), SubsidyPayment.objects.count(),
            PaymentLine.objects.count())


def test_demo_subsidies_and_idempotence():
    core_demo._user("saertu", "刘伟", Role.DISTRICT_CASEWORKER, "230602", None)
    core_demo._user("shi", "陈敏", Role.CITY_CASEWORKER, None, None)
    demo.seed()
    grants = SubsidyGrant.objects.filter(district__code="230602")
    assert grants.count() >= 20
    assert len(set(grants.values_list("category", flat=True))) >= 5
    assert SubsidyBatch.objects.filter(status="results_imported").count() == 3
    paid_months = set(SubsidyPayment.objects.filter(status=PaymentStatus.PAID).values_list("period", flat=True))
    assert len(paid_months) == 3
    retried = SubsidyPayment.objects.get(attempts=2)
    assert retried.status == PaymentStatus.PAID
    assert list(retried.lines.order_by("batch__period").values_list("result", "bank_reason")) == [
        ("failed", "账户已销户"), ("paid", "")]
    assert grants.filter(status=GrantStatus.SUSPENDED).count() == 1
    before = _counts()
    demo.seed()
    assert _counts() == before
