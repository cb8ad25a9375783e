"""Paying rent online (DESIGN §8): 我的账单 → a payment order → the simulated bank over real HTTP →
the bank's signed notification → bills paid, receipt downloadable by the tenant only."""

import io
import json
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzufang.bank import signing
from rent.models import (
    BillStatus,
    NotificationAttempt,
    OrderStatus,
    Payment,
    PaymentAllocation,
    PaymentOrder,
)
from rent.payments import services
from tests.conftest import BANK_TEST_SECRET
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db
NOTIFY = "/payments/notify/"


def _pay_at_bank(bank, order, *, success=True, lose=True):
    """Press the bank's button for the order; the notification is kept back (lost) unless asked."""
    if lose:
        bank.lose_notifications(order.order_no)
    bank.pay(order.order_no, success=success)
    return bank.notification(order.order_no)


def _post(client, raw, signature):
    return client.post(NOTIFY, data=raw, content_type="application/json", HTTP_X_BANK_SIGNATURE=signature)


@pytest.fixture
def lease():
    return pb.lease()


def _order(client, lease, bills):
    client.force_login(lease.tenant)
    response = client.post(reverse("rent:pay"), {"bill": [b.pk for b in bills]})
    assert response.status_code == 302, response.content.decode()[:500]
    return PaymentOrder.objects.get(order_no=response.url.rstrip("/").split("/")[-1])


def test_choosing_bills_makes_one_order_registered_at_the_bank(client, simulated_bank, lease):
    bills = pb.bills(lease, 2)
    order = _order(client, lease, bills)
    assert order.amount == Decimal("1000.00") and order.status == OrderStatus.PENDING
    assert sorted(order.order_bills.values_list("bill_id", flat=True)) == sorted(b.pk for b in bills)
    assert order.expires_at > timezone.now() + timedelta(minutes=25)
    page = client.get(reverse("rent:payment-order", args=[order.order_no])).content.decode()
    assert "前往银行支付" in page and order.pay_url in page
    assert simulated_bank.order(order.order_no)["amount"] == Decimal("1000.00")
    # the bank's page shows the amount and the two buttons
    with urllib.request.urlopen(order.pay_url, timeout=5) as r:
        bank_page = r.read().decode()
    assert "1000.00" in bank_page and "支付成功" in bank_page
    # the same bills again: the same order, not a second one
    assert _order(client, lease, bills).pk == order.pk
    assert order.status_changes.count() == 1


def test_a_signed_success_notification_pays_the_bills_and_the_tenant_gets_a_receipt(client, simulated_bank, lease):
    bills = pb.bills(lease, 2)
    order = _order(client, lease, bills)
    raw, signature = _pay_at_bank(simulated_bank, order)
    response = _post(client, raw, signature)
    assert response.status_code == 200 and response.json() == {"code": "SUCCESS"}

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.bank_txn_id == json.loads(raw)["bank_txn_id"]
    for b in bills:
        b.refresh_from_db()
        assert b.status == BillStatus.PAID and b.amount_paid == b.amount
    payment = Payment.objects.get(order=order)
    assert payment.amount == Decimal("1000.00") and payment.method == "online"
    assert sum(a.amount for a in payment.allocations.all()) == Decimal("1000.00")
    attempt = NotificationAttempt.objects.get(order=order)
    assert attempt.signature_valid and attempt.outcome == "applied" and attempt.raw_body == raw.decode()

    # The receipt: a PDF in Chinese, for this tenant only.
    page = client.get(reverse("rent:payment-order", args=[order.order_no])).content.decode()
    assert "下载电子收据" in page
    receipt = client.get(reverse("rent:payment-receipt", args=[payment.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
    assert payment.receipt_no in text and "1000.00" in text
    assert "壹仟元整" in text.replace(" ", "")

    other = pb.lease().tenant
    client.force_login(other)
    assert client.get(reverse("rent:payment-receipt", args=[payment.pk])).status_code == 404
    assert client.get(reverse("rent:payment-order", args=[order.order_no])).status_code == 404
    client.logout()
    assert client.get(reverse("rent:payment-receipt", args=[payment.pk])).status_code == 302


def test_replays_change_nothing(client, simulated_bank, lease):
    bills = pb.bills(lease, 1)
    order = _order(client, lease, bills)
    raw, signature = _pay_at_bank(simulated_bank, order)
    answers = [_post(client, raw, signature) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert all(a.json() == {"code": "SUCCESS"} for a in answers)
    assert Payment.objects.filter(order=order).count() == 1
    assert PaymentAllocation.objects.filter(bill=bills[0]).count() == 1
    bills[0].refresh_from_db()
    assert bills[0].amount_paid == Decimal("500.00")
    outcomes = list(NotificationAttempt.objects.filter(order=order).order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["applied", "duplicate", "duplicate", "duplicate"]
    assert order.status_changes.count() == 2  # created, paid


def test_a_forged_signature_is_refused_and_changes_nothing(client, simulated_bank, lease):
    order = _order(client, lease, pb.bills(lease, 1))
    raw, _signature = _pay_at_bank(simulated_bank, order)
    response = _post(client, raw, signing.sign("not-the-secret", raw))
    assert response.status_code == 400
    assert response.json() == {"code": "FAIL", "message": "签名无效"}
    assert _post(client, raw, "").status_code == 400
    # the right signature over other bytes (a body edited in transit)
    edited = raw.replace(b'"SUCCESS"', b'"SUCCESS" ')
    assert _post(client, edited, _signature).status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and not Payment.objects.exists()
    attempts = NotificationAttempt.objects.order_by("id")
    assert [(a.signature_valid, a.outcome, a.order_no) for a in attempts] == [(False, "refused", order.order_no)] * 3


def test_an_unknown_order_or_a_differing_amount_is_refused(client, simulated_bank, lease):
    bill = pb.bill(lease)
    order = _order(client, lease, [bill])
    raw, _ = _pay_at_bank(simulated_bank, order)
    body = json.loads(raw)

    def signed(**changes):
        data = json.dumps({**body, **changes}).encode()
        return data, signing.sign(BANK_TEST_SECRET, data)

    response = _post(client, *signed(order_no="PO-NOBODY"))
    assert response.status_code == 400 and response.json() == {"code": "FAIL", "message": "订单不存在"}
    response = _post(client, *signed(amount="499.99"))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert "金额不符" in response.json()["message"]
    response = _post(client, *signed(amount="12.3"))
    assert response.status_code == 400
    response = _post(client, b"not json", signing.sign(BANK_TEST_SECRET, b"not json"))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    order.refresh_from_db()
    bill.refresh_from_db()
    assert order.status == OrderStatus.PENDING and bill.status == BillStatus.UNPAID
    assert not Payment.objects.exists()
    assert NotificationAttempt.objects.filter(outcome="refused", signature_valid=True).count() == 4


def test_a_failed_payment_leaves_the_bills_unpaid(client, simulated_bank, lease):
    bill = pb.bill(lease)
    order = _order(client, lease, [bill])
    raw, signature = _pay_at_bank(simulated_bank, order, success=False)
    assert _post(client, raw, signature).json() == {"code": "SUCCESS"}
    assert _post(client, raw, signature).json() == {"code": "SUCCESS"}  # a replay of the failure
    order.refresh_from_db()
    bill.refresh_from_db()
    assert order.status == OrderStatus.FAILED and bill.status == BillStatus.UNPAID
    assert not Payment.objects.exists()
    # the tenant may pay the same bill again with a new order
    again = _order(client, lease, [bill])
    assert again.pk != order.pk and again.status == OrderStatus.PENDING


def test_the_return_page_asks_the_bank_when_the_notification_is_lost(client, simulated_bank, lease):
    bill = pb.bill(lease)
    order = _order(client, lease, [bill])
    _pay_at_bank(simulated_bank, order)  # lost
    response = client.get(reverse("rent:payment-order-return", args=[order.order_no]), follow=True)
    assert "缴费成功" in response.content.decode()
    order.refresh_from_db()
    bill.refresh_from_db()
    assert order.status == OrderStatus.PAID and bill.status == BillStatus.PAID
    assert NotificationAttempt.objects.get(order=order).source == "query"
    # the notification arriving after all is a replay
    raw, signature = simulated_bank.notification(order.order_no)
    assert _post(client, raw, signature).json() == {"code": "SUCCESS"}
    assert Payment.objects.count() == 1


def test_the_sweep_asks_about_old_pending_orders_and_expires_the_unpaid(client, simulated_bank, lease, settings):
    paid_bill, unpaid_bill, fresh_bill = pb.bills(lease, 3)
    lost = _order(client, lease, [paid_bill])
    _pay_at_bank(simulated_bank, lost)
    never_paid = _order(client, lease, [unpaid_bill])
    fresh = _order(client, lease, [fresh_bill])
    old = timezone.now() - timedelta(minutes=40)
    PaymentOrder.objects.filter(pk__in=[lost.pk, never_paid.pk]).update(created_at=old, expires_at=old + timedelta(minutes=30))

    counts = services.orders_sweep()
    assert counts == {"asked": 2, "paid": 1, "failed": 0, "expired": 1, "errors": 0}
    statuses = dict(PaymentOrder.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "paid", never_paid.pk: "expired", fresh.pk: "pending"}
    paid_bill.refresh_from_db()
    assert paid_bill.status == BillStatus.PAID
    # run again: nothing more happens
    assert services.orders_sweep()["asked"] == 0


def test_the_sweep_survives_an_unreachable_bank(client, simulated_bank, lease, settings):
    order = _order(client, lease, [pb.bill(lease)])
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=1))
    simulated_bank.stop()
    counts = services.orders_sweep()
    assert counts["errors"] == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_late_success_on_an_expired_order_still_pays(client, simulated_bank, lease):
    bill = pb.bill(lease)
    order = _order(client, lease, [bill])
    raw, signature = _pay_at_bank(simulated_bank, order)
    from gongzufang import workflow

    workflow.transition(order, "expire", actor=None)
    assert _post(client, raw, signature).json() == {"code": "SUCCESS"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID


def test_an_unreachable_bank_tells_the_tenant_and_keeps_the_bills_unpaid(client, settings, lease):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.BANK_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    bill = pb.bill(lease)
    client.force_login(lease.tenant)
    response = client.post(reverse("rent:pay"), {"bill": [bill.pk]}, follow=True)
    assert "银行暂时无法受理缴费" in response.content.decode()
    assert PaymentOrder.objects.get().status == OrderStatus.EXPIRED


def test_another_tenants_bills_cannot_be_put_in_an_order(client, simulated_bank, lease):
    other_bill = pb.bill(pb.lease())
    client.force_login(lease.tenant)
    response = client.post(reverse("rent:pay"), {"bill": [other_bill.pk]}, follow=True)
    assert "所选账单不存在" in response.content.decode()
    assert not PaymentOrder.objects.exists()


def test_paying_sends_the_tenant_a_message(client, simulated_bank, lease, django_capture_on_commit_callbacks):
    from notifications.models import SiteMessage

    order = _order(client, lease, [pb.bill(lease)])
    raw, signature = _pay_at_bank(simulated_bank, order)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, raw, signature)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, raw, signature)
    messages = SiteMessage.objects.filter(recipient=lease.tenant, title="租金缴费成功")
    assert messages.count() == 1 and order.order_no in messages.get().body
