"""押金退还 through the bank (the tenancy issue calls it after move-out): the account checked, a one-line
代发 batch named by the reference, the result recorded and shown; idempotent by reference."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from gongzufang.bank.client import AccountCheck, BankClient
from notifications.models import SiteMessage as Message
from rent.models import DepositRefund, DepositRefundStatus, Lease, LeaseStatus
from rent.payments import services as pay
from rent.payments.services import PaymentError
from tests.rent.bulk import active_leases

pytestmark = pytest.mark.django_db
WANG_LI = ("王丽", "621700123456789003")


def _ended_lease(**fields) -> Lease:
    (pk,) = active_leases(1)  # deposit 360.00
    Lease.objects.filter(pk=pk).update(status=LeaseStatus.TERMINATED, ended_on=date(2026, 11, 30), **fields)
    return Lease.objects.get(pk=pk)


def test_the_deposit_goes_back_through_the_bank_once_per_reference(simulated_bank, client):
    lease = _ended_lease()
    refund = pay.deposit_refund_send(lease=lease, amount=Decimal("360.00"), reference="YJ-2026-0001",
                                     account_name=WANG_LI[0], account_no="6217 0012 3456 7890 03", actor=None)
    assert refund.status == DepositRefundStatus.PAID and refund.bank_txn_id.startswith("CCB")
    assert refund.masked_account == "**** **** **** 9003"
    again = pay.deposit_refund_send(lease=lease, amount=Decimal("360.00"), reference="YJ-2026-0001",
                                    account_name=WANG_LI[0], account_no=WANG_LI[1], actor=None)
    assert again.pk == refund.pk and DepositRefund.objects.count() == 1
    with connection.cursor() as cursor:  # the number is encrypted at rest
        cursor.execute("SELECT account_no FROM rent_depositrefund")
        assert WANG_LI[1] not in cursor.fetchone()[0]
    assert [c.to_status for c in refund.status_changes.order_by("id")] == ["pending", "paid"]
    assert Message.objects.filter(recipient=lease.tenant, title="押金已退还").exists()
    client.force_login(lease.tenant)
    page = client.get(reverse("rent:lease", args=[lease.pk])).content.decode()
    assert "押金退还" in page and "已退还" in page and "9003" in page and WANG_LI[1] not in page
    with pytest.raises(PaymentError, match="超过可退押金 0.00 元"):
        pay.deposit_refund_send(lease=lease, amount=Decimal("1.00"), reference="YJ-2026-0002",
                                account_name=WANG_LI[0], account_no=WANG_LI[1], actor=None)


def test_a_failed_disbursement_is_recorded_and_the_tenant_told(simulated_bank, monkeypatch):
    lease = _ended_lease()
    # the account passed the check, then was closed before the bank paid the batch
    monkeypatch.setattr(BankClient, "verify_account", lambda self, **kw: AccountCheck(ok=True))
    refund = pay.deposit_refund_send(lease=lease, amount=Decimal("300.00"), reference="YJ-FAIL-1",
                                     account_name="周德", account_no="621700987654321003", actor=None)
    assert (refund.status, refund.bank_reason) == (DepositRefundStatus.FAILED, "账户已销户")
    assert Message.objects.filter(recipient=lease.tenant, title="押金退还未成功").exists()
    assert pay.deposit_refundable(lease) == Decimal("360.00")  # a failed refund does not count


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reference": "有 空格"}, "退还编号须为"),
    ({"amount": "0"}, "退还金额须大于零"),
    ({"amount": "400"}, "超过可退押金 360.00 元"),
    ({"account_name": ""}, "请填写收款户名"),
    ({"account_no": "1234"}, "16 至 19 位数字"),
    ({"account_no": "621700987654321003"}, "银行核验未通过：账户已销户"),
])
def test_bad_refunds_are_refused_in_chinese_and_nothing_is_recorded(simulated_bank, kwargs, message):
    lease = _ended_lease()
    args = {"lease": lease, "amount": "100", "reference": "YJ-BAD-1", "account_name": WANG_LI[0],
            "account_no": WANG_LI[1], "actor": None} | kwargs
    with pytest.raises(PaymentError, match=message):
        pay.deposit_refund_send(**args)
    assert not DepositRefund.objects.exists()


def test_an_active_lease_gets_no_deposit_back(simulated_bank):
    (pk,) = active_leases(1)
    with pytest.raises(PaymentError, match="合同终止并腾退房屋后才能退还押金"):
        pay.deposit_refund_send(lease=Lease.objects.get(pk=pk), amount="100", reference="YJ-ACT-1",
                                account_name=WANG_LI[0], account_no=WANG_LI[1], actor=None)


def test_the_bank_unreachable_keeps_the_refund_pending_and_the_same_reference_retries(settings, simulated_bank,
                                                                                      monkeypatch):
    lease = _ended_lease()
    from gongzufang.bank import client as bank_client

    def down(self, *a, **kw):
        raise bank_client.BankError("无法连接银行接口（连接被拒绝，银行接口可能未启动）")

    real = BankClient.submit_disbursement
    monkeypatch.setattr(BankClient, "submit_disbursement", down)
    with pytest.raises(PaymentError, match="可用同一退还编号重试"):
        pay.deposit_refund_send(lease=lease, amount="360", reference="YJ-RETRY-1", account_name=WANG_LI[0],
                                account_no=WANG_LI[1], actor=None)
    assert DepositRefund.objects.get().status == DepositRefundStatus.PENDING
    monkeypatch.setattr(BankClient, "submit_disbursement", real)
    refund = pay.deposit_refund_send(lease=lease, amount="360", reference="YJ-RETRY-1", account_name=WANG_LI[0],
                                     account_no=WANG_LI[1], actor=None)
    assert refund.status == DepositRefundStatus.PAID and DepositRefund.objects.count() == 1
