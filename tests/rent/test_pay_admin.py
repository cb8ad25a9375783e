"""Counter payments (cash, POS, partial, overpayment to credit), refunds and statement decisions as
district caseworkers do them in the admin, scoped to their district."""

from decimal import Decimal

import pytest
from django.urls import reverse

from rent.models import BillStatus, Payment, StatementLine
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db


@pytest.fixture
def lease():
    return pb.lease()


def test_counter_cash_partial_then_overpayment_kept_as_credit(client, dave, lease):
    first, second = pb.bills(lease, 2)
    client.force_login(dave)
    url = reverse("admin:rent_payment_add")
    assert "登记柜台缴费" in client.get(url).content.decode()
    response = client.post(url, {"lease": lease.pk, "method": "cash", "amount": "300.00", "receipt_no": "GT-0001"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("300.00"))
    payment = Payment.objects.get(receipt_no="GT-0001")
    assert payment.recorded_by == dave and payment.method == "cash"

    # the same receipt number twice: refused, nothing recorded
    response = client.post(url, {"lease": lease.pk, "method": "cash", "amount": "10.00", "receipt_no": "GT-0001"})
    assert "已登记过缴费" in response.content.decode() and Payment.objects.count() == 1
    # POS without the slip's reference: refused
    response = client.post(url, {"lease": lease.pk, "method": "pos", "amount": "10.00", "receipt_no": "GT-0002"})
    assert "参考号" in response.content.decode() and Payment.objects.count() == 1

    client.post(url, {"lease": lease.pk, "method": "pos", "amount": "800.00", "receipt_no": "GT-0003",
                      "bank_txn_id": "POS998877"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == BillStatus.PAID
    lease.refresh_from_db()
    assert lease.credit.balance == Decimal("100.00")

    # a refund of the POS payment takes the credit first, then reopens the last bill it paid
    refund_url = reverse("admin:rent_payment_refund", args=[Payment.objects.get(receipt_no="GT-0003").pk])
    response = client.post(refund_url, {"amount": "150.00", "reason": "重复缴费退回"})
    assert response.status_code == 302
    lease.credit.refresh_from_db()
    second.refresh_from_db()
    assert lease.credit.balance == Decimal("0.00")
    assert (second.status, second.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("450.00"))
    response = client.post(refund_url, {"amount": "9999.00", "reason": "x"})
    assert "超过" in response.content.decode()


def test_another_districts_caseworker_sees_none_of_it(client, dave, bob, lease):
    pb.bill(lease)
    client.force_login(dave)
    client.post(reverse("admin:rent_payment_add"),
                {"lease": lease.pk, "method": "cash", "amount": "100.00", "receipt_no": "GT-0101"})
    payment = Payment.objects.get()
    client.force_login(bob)
    assert client.get(reverse("admin:rent_payment_change", args=[payment.pk])).status_code == 404
    assert client.post(reverse("admin:rent_payment_refund", args=[payment.pk]),
                       {"amount": "1.00", "reason": "x"}).status_code == 404
    # bob cannot record a payment on dave's lease either (not among his choices)
    response = client.post(reverse("admin:rent_payment_add"),
                           {"lease": lease.pk, "method": "cash", "amount": "5.00", "receipt_no": "GT-0102"})
    assert response.status_code == 200 and Payment.objects.count() == 1
    assert "GT-0101" not in client.get(reverse("admin:rent_payment_changelist")).content.decode()


def test_a_statement_uploaded_in_the_admin_and_a_line_decided(client, dave, lease):
    bill = pb.bill(lease)
    client.force_login(dave)
    content = "交易日期,银行流水号,订单号,金额,状态\n2026-12-01,CCBWALKIN01,,500.00,成功\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("admin:rent_statementimport_add"), {
        "district": lease.district_id, "file": SimpleUploadedFile("s.csv", content, content_type="text/csv")})
    assert response.status_code == 302, response.content.decode()[-2000:]
    line = StatementLine.objects.get()
    assert line.match == "unmatched" and not Payment.objects.exists()
    page = client.get(reverse("admin:rent_statementline_change", args=[line.pk])).content.decode()
    assert "认定为租金入账" in page
    response = client.post(reverse("admin:rent_statementline_change", args=[line.pk]),
                           {"decision": "accept", "note": "承租人银行柜台存入", "lease": lease.pk})
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    line.refresh_from_db()
    assert line.decision == "accepted" and line.decided_by == dave


def test_orders_and_payments_export_to_excel(client, dave, lease):
    pb.bill(lease)
    client.force_login(dave)
    client.post(reverse("admin:rent_payment_add"),
                {"lease": lease.pk, "method": "cash", "amount": "100.00", "receipt_no": "GT-0201"})
    response = client.post(reverse("admin:rent_payment_export"), {
        "format": "0", "resource": "0", **{f"paymentresource_{f}": "on" for f in
                                           ["receipt_no", "method", "lease", "amount", "paid_at"]}})
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "收据号" in rows[0] and any("GT-0201" in (str(c) for c in r) for r in rows[1:])
