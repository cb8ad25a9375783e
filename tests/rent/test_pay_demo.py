"""The payment half's demo seeder on the leases' bills in 萨尔图区: bills paid online, one at the
counter, a pending payment order; a second run changes nothing."""

import pytest

from rent.models import OrderStatus, Payment, PaymentOrder
from rent.payments import demo
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db


def test_the_demo_shows_online_counter_and_pending_payments_once():
    leases = [pb.lease() for _ in range(3)]
    for lease in leases:
        pb.bills(lease, 3)
    demo.seed()
    counts = (Payment.objects.filter(method="online").count(), Payment.objects.filter(method="cash").count(),
              PaymentOrder.objects.filter(status=OrderStatus.PENDING, district__code="230602").count())
    assert counts == (1, 1, 1)
    online = Payment.objects.get(method="online")
    assert online.allocations.count() == 2 and online.order.status == OrderStatus.PAID
    assert all(b.status == "paid" for b in leases[0].bills.order_by("period")[:2])
    demo.seed()
    assert (Payment.objects.filter(method="online").count(), Payment.objects.filter(method="cash").count(),
            PaymentOrder.objects.filter(status=OrderStatus.PENDING).count()) == counts
