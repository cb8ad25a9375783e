"""The bank's notification over real HTTP to a running portal (live_server): the simulated bank calls
back by itself; and the same notification posted by 20 threads at once makes one payment
(PostgreSQL: row locks and real concurrency)."""

import json
import threading
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

from rent.models import BillStatus, NotificationAttempt, OrderStatus, Payment, PaymentAllocation, PaymentOrder
from rent.payments import services
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bank_calls_the_portal_back_by_itself(live_server, simulated_bank):
    lease = pb.lease()
    bills = pb.bills(lease, 2)
    order = services.order_create(tenant=lease.tenant, bill_ids=[b.pk for b in bills])
    assert order.pay_url.startswith(simulated_bank.url)
    simulated_bank.pay(order.order_no)  # what the 支付成功 button does
    assert simulated_bank.wait_notified(order.order_no, timeout=20)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert all(b.status == BillStatus.PAID for b in lease.bills.all())
    deliveries = simulated_bank.deliveries_for(order.order_no)
    assert deliveries[-1]["http_status"] == 200 and json.loads(deliveries[-1]["response"]) == {"code": "SUCCESS"}
    # the bank replays it (as it may); the portal answers SUCCESS and nothing is doubled
    assert simulated_bank.resend(order.order_no)
    assert Payment.objects.filter(order=order).count() == 1


def _post(url, raw, signature, results):
    request = urllib.request.Request(url, data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Bank-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.append((response.status, json.loads(response.read())))
    except urllib.error.HTTPError as exc:
        results.append((exc.code, json.loads(exc.read() or b"{}")))


@pytest.mark.postgres
def test_twenty_threads_posting_the_same_notification_make_one_payment(on_postgres, live_server, simulated_bank):
    lease = pb.lease()
    bills = pb.bills(lease, 2)
    order = services.order_create(tenant=lease.tenant, bill_ids=[b.pk for b in bills])
    simulated_bank.lose_notifications(order.order_no)
    simulated_bank.pay(order.order_no)
    raw, signature = simulated_bank.notification(order.order_no)

    results = []
    url = f"{live_server.url}/payments/notify/"
    barrier = threading.Barrier(20)

    def go():
        barrier.wait()
        _post(url, raw, signature, results)

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [(200, {"code": "SUCCESS"})] * 20
    assert Payment.objects.filter(order=order).count() == 1
    assert PaymentAllocation.objects.filter(bill__lease=lease).count() == 2
    assert sorted(NotificationAttempt.objects.filter(order=order).values_list("outcome", flat=True)) == \
        ["applied"] + ["duplicate"] * 19
    for b in lease.bills.all():
        assert b.amount_paid == Decimal("500.00") and b.status == BillStatus.PAID
    assert PaymentOrder.objects.get(pk=order.pk).status_changes.filter(to_status="paid").count() == 1
