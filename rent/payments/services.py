"""Every write of the payment half (DESIGN §8): payment orders, the bank's notifications and query
answers, counter payments, credit, refunds, and the order sweep. Reconciliation is in reconciliation.py.

The ledger of a lease holds to the fen: Σ payments − Σ refunds = Σ bills' amount_paid + credit.
Money applied to bills changes a bill's status only through its transitions (rent/models/bills.py).

Idempotency of the bank's notifications: the order row is locked (`select_for_update`) for the whole
of applying one, and a payment's `bank_txn_id` is unique; a replay finds the order paid by the same
transaction and answers SUCCESS without writing anything but its log line.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gongzufang import workflow
from gongzufang.bank import client as bank_client
from gongzufang.bank import signing
from gongzufang.errors import PortalError
from gongzufang.parameters import param
from rent.billing.services import bill_apply_amount
from rent.models import (
    Bill,
    BillStatus,
    CreditEntry,
    NotificationAttempt,
    OrderStatus,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    PaymentOrder,
    PaymentOrderBill,
    Refund,
    RentCredit,
)

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
Outcome = NotificationAttempt.Outcome


class PaymentError(PortalError):
    code = "payment_error"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


# --------------------------------------------------------------------------------- applying money to bills


def _credit_for(lease, *, lock=True) -> RentCredit:
    credit, _created = RentCredit.objects.get_or_create(
        lease=lease, defaults={"tenant_id": lease.tenant_id, "district_id": lease.district_id})
    if lock:
        credit = RentCredit.objects.select_for_update().get(pk=credit.pk)
    return credit


def _apply(amount: Decimal, bills, *, payment=None, from_credit=False, actor=None, opinion="") -> Decimal:
    """Apply `amount` to `bills` (locked, in the order given); returns what is left over."""
    left = money(amount)
    for bill in bills:
        if left <= ZERO:
            break
        share = min(left, bill.amount - bill.amount_paid)
        if share <= ZERO:
            continue
        bill_apply_amount(bill=bill, amount=share, actor=actor, opinion=opinion)
        PaymentAllocation.objects.create(payment=payment, from_credit=from_credit, bill=bill, amount=share)
        left -= share
    return left


def _locked_bills(ids):
    """Bills locked in primary-key order (no deadlock between two payments), returned oldest period first."""
    rows = workflow.lock_many(Bill, ids)
    return sorted(rows, key=lambda b: (b.period, b.pk))


def _to_credit(lease, amount, *, payment=None, kind=CreditEntry.Kind.OVERPAYMENT):
    if amount <= ZERO:
        return
    credit = _credit_for(lease)
    credit.balance = money(credit.balance + amount)
    credit.save(update_fields=["balance", "updated_at"])
    CreditEntry.objects.create(credit=credit, kind=kind, amount=amount, payment=payment)


def _receive(payment: Payment, bill_ids, *, actor=None, opinion=""):
    """A new payment: applied to `bill_ids` (oldest first), the rest kept as the lease's credit."""
    bills = _locked_bills(bill_ids)
    left = _apply(payment.amount, bills, payment=payment, actor=actor, opinion=opinion)
    _to_credit(payment.lease, left, payment=payment)


# --------------------------------------------------------------------------------- payment orders


def _order_urls(order):
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return (base + reverse("rent:payments-notify"),
            base + reverse("rent:payment-order-return", args=[order.order_no]))


def order_create(*, tenant, bill_ids) -> PaymentOrder:
    """A payment order for the tenant's chosen unpaid bills (one lease), registered with the bank.
    The same bills in a pending order that has not expired: that order again."""
    ids = sorted({int(i) for i in bill_ids})
    if not ids:
        raise PaymentError("请选择要缴纳的账单。")
    with transaction.atomic():
        bills = _locked_bills(Bill.objects.filter(tenant=tenant, pk__in=ids).values_list("pk", flat=True))
        if len(bills) != len(ids):
            raise PaymentError("所选账单不存在。")
        if any(b.status == BillStatus.PAID for b in bills):
            raise PaymentError("所选账单中有已缴清的账单，请刷新页面后重新选择。")
        if len({b.lease_id for b in bills}) != 1:
            raise PaymentError("一次只能缴纳同一份租赁合同的账单。")
        lease = bills[0].lease
        amounts = {b.pk: money(b.amount - b.amount_paid) for b in bills}
        total = money(sum(amounts.values()))
        now = timezone.now()
        for order in PaymentOrder.objects.filter(tenant=tenant, lease=lease, status=OrderStatus.PENDING,
                                                 expires_at__gt=now + timedelta(minutes=2), amount=total):
            if dict(order.order_bills.values_list("bill_id", "amount")) == amounts and order.pay_url:
                return order
        periods = "、".join(f"{b.period:%Y年%m月}" for b in bills)
        order = PaymentOrder.objects.create(
            tenant=tenant, lease=lease, district_id=lease.district_id, amount=total,
            subject=f"公租房租金 {periods}"[:100],
            expires_at=now + timedelta(minutes=param("rent.payment_order_minutes", district=lease.district_id)))
        PaymentOrderBill.objects.bulk_create(PaymentOrderBill(order=order, bill_id=pk, amount=a) for pk, a in amounts.items())
        workflow.record_start(order, actor=tenant)
    notify_url, return_url = _order_urls(order)
    try:
        pay_url = bank_client.get_bank().create_order(
            order_no=order.order_no, amount=order.amount, subject=order.subject, notify_url=notify_url,
            return_url=return_url, expires_at=timezone.localtime(order.expires_at))
    except bank_client.BankError as exc:
        workflow.transition(order, "expire", actor=None, opinion=f"银行未受理：{exc}")
        raise PaymentError(f"银行暂时无法受理缴费，请稍后再试。（{exc}）") from None
    PaymentOrder.objects.filter(pk=order.pk).update(pay_url=pay_url)
    order.pay_url = pay_url
    return order


@dataclass(frozen=True)
class Answer:
    """What the portal answers the bank (DESIGN §8)."""

    ok: bool
    message: str = ""

    @property
    def http_status(self):
        return 200 if self.ok else 400

    @property
    def body(self):
        return {"code": "SUCCESS"} if self.ok else {"code": "FAIL", "message": self.message}


def _apply_bank_result(order, *, status, bank_txn_id, amount, paid_at, source) -> tuple[str, str]:
    """The bank says `order` (locked) was paid or failed: (outcome, message). Writes nothing on refusal."""
    if amount != order.amount:
        return Outcome.REFUSED, f"金额不符：订单 {order.amount} 元，通知 {amount} 元"
    if status == "SUCCESS":
        existing = Payment.objects.filter(bank_txn_id=bank_txn_id).first()
        if existing is not None:
            if existing.order_id == order.pk:
                return Outcome.DUPLICATE, "重复通知，此前已入账"
            return Outcome.REFUSED, "银行流水号已用于另一笔缴费"
        if order.status == OrderStatus.PAID:
            return Outcome.REFUSED, "订单已由另一笔银行交易支付"
        opinion = "银行支付成功通知" if source == "notify" else "主动查询银行：支付成功"
        workflow.transition(order, "mark_paid", actor=None, opinion=opinion, bank_txn_id=bank_txn_id, paid_at=paid_at)
        payment = Payment.objects.create(
            method=PaymentMethod.ONLINE, tenant_id=order.tenant_id, lease_id=order.lease_id,
            district_id=order.district_id, order=order, amount=amount, bank_txn_id=bank_txn_id, paid_at=paid_at)
        _receive(payment, order.order_bills.values_list("bill_id", flat=True), opinion=f"网上缴费 {order.order_no}")
        return Outcome.APPLIED, "已入账"
    # FAILED
    if order.status == OrderStatus.PENDING:
        workflow.transition(order, "mark_failed", actor=None, opinion="银行支付失败通知", bank_txn_id=bank_txn_id)
        return Outcome.FAILED_RECORDED, "已登记支付失败"
    if order.status == OrderStatus.PAID:
        return Outcome.REFUSED, "订单已支付成功，与支付失败通知矛盾"
    return Outcome.DUPLICATE, "订单已关闭，支付失败已知"


def _parse_notification(data):
    """(order_no, status, bank_txn_id, amount, paid_at) or raises ValueError with a Chinese reason."""
    if not isinstance(data, dict):
        raise ValueError("通知不是 JSON 对象")
    for key in ("order_no", "bank_txn_id", "amount", "paid_at", "status"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"通知缺少 {key}")
    if data["status"] not in ("SUCCESS", "FAILED"):
        raise ValueError("通知状态无效")
    if not data["bank_txn_id"] or len(data["bank_txn_id"]) > 64:
        raise ValueError("银行流水号无效")
    try:
        amount = bank_client.parse_money(data["amount"])
        paid_at = bank_client.parse_time(data["paid_at"])
    except ValueError as exc:
        raise ValueError(f"金额或时间格式错误（{exc}）") from None
    return data["order_no"], data["status"], data["bank_txn_id"], amount, paid_at


def notification_receive(*, raw_body: bytes, signature: str, ip: str | None = None) -> Answer:
    """The bank's notification as received at /payments/notify/ (DESIGN §8): applied once, replays
    answered SUCCESS without change, a bad signature / unknown order / differing amount refused with
    nothing changed. Every attempt is logged."""
    text = raw_body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    order_no = str(data.get("order_no", ""))[:64] if isinstance(data, dict) else ""
    secret = settings.BANK_NOTIFY_SECRET
    valid = bool(secret) and signing.verify(secret, raw_body, signature or "")

    def log(outcome, message, order=None):
        NotificationAttempt.objects.create(order_no=order_no, order=order, raw_body=text[:20000],
                                           signature=(signature or "")[:200], signature_valid=valid,
                                           outcome=outcome, message=message[:200], ip=ip)

    if not valid:
        message = "签名无效" if secret else "平台未配置 BANK_NOTIFY_SECRET，拒绝所有通知"
        log(Outcome.REFUSED, message)
        return Answer(False, message)
    try:
        order_no, status, bank_txn_id, amount, paid_at = _parse_notification(data)
    except ValueError as exc:
        log(Outcome.REFUSED, str(exc))
        return Answer(False, str(exc))
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update().filter(order_no=order_no).first()
            if order is None:
                log(Outcome.REFUSED, "订单不存在")
                return Answer(False, "订单不存在")
            order._workflow_locked = True
            outcome, message = _apply_bank_result(order, status=status, bank_txn_id=bank_txn_id, amount=amount,
                                                  paid_at=paid_at, source="notify")
            if outcome == Outcome.REFUSED:
                transaction.set_rollback(True)
        if outcome == Outcome.REFUSED:
            log(outcome, message, order)
            return Answer(False, message)
        log(outcome, message, order)
        return Answer(True, message)
    except IntegrityError:
        # Only a racing second writer of the same bank transaction gets here (the unique bank_txn_id):
        # the other one applied it.
        if Payment.objects.filter(bank_txn_id=bank_txn_id, order__order_no=order_no).exists():
            log(Outcome.DUPLICATE, "重复通知，此前已入账")
            return Answer(True, "重复通知，此前已入账")
        raise


def order_refresh(order: PaymentOrder, *, bank=None) -> PaymentOrder:
    """Ask the bank about a pending order (a lost notification; the return page; the sweep) and apply
    its answer like a notification. An order past its time that the bank never saw paid is expired.
    BankError propagates (the caller says the bank could not be asked)."""
    if order.status != OrderStatus.PENDING:
        return order
    state = (bank or bank_client.get_bank()).query_order(order.order_no)
    with transaction.atomic():
        locked = workflow.lock(order)
        PaymentOrder.objects.filter(pk=order.pk).update(last_queried_at=timezone.now())
        if locked.status != OrderStatus.PENDING:
            pass
        elif state.status in ("SUCCESS", "FAILED") and state.amount is not None:
            outcome, message = _apply_bank_result(
                locked, status=state.status, bank_txn_id=state.bank_txn_id, amount=state.amount,
                paid_at=state.paid_at or timezone.now(), source="query")
            NotificationAttempt.objects.create(
                order_no=order.order_no, order=locked, source="query", signature_valid=True, outcome=outcome,
                message=message, raw_body=json.dumps({"status": state.status, "bank_txn_id": state.bank_txn_id,
                                                      "amount": str(state.amount)}, ensure_ascii=False))
        elif locked.expires_at <= timezone.now():
            workflow.transition(locked, "expire", actor=None,
                                opinion="订单已过期，银行未收到支付" if state.status == "PENDING" else "订单已过期，银行无此订单")
    order.refresh_from_db()
    return order


def orders_sweep(*, now=None, bank=None, limit=500) -> dict:
    """Pending orders older than rent.payment_query_after_minutes: ask the bank (beat job). Returns counts."""
    now = now or timezone.now()
    after = timedelta(minutes=param("rent.payment_query_after_minutes"))
    counts = {"asked": 0, "paid": 0, "failed": 0, "expired": 0, "errors": 0}
    bank = bank or bank_client.get_bank()
    ids = list(PaymentOrder.objects.filter(status=OrderStatus.PENDING, created_at__lte=now - after)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    for order in PaymentOrder.objects.filter(pk__in=ids).order_by("pk"):
        counts["asked"] += 1
        try:
            order = order_refresh(order, bank=bank)
        except bank_client.BankError as exc:
            logger.warning("payment order %s: bank not reachable: %s", order.order_no, exc)
            counts["errors"] += 1
            continue
        if order.status in (OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.EXPIRED):
            counts[order.status] += 1
    return counts


# --------------------------------------------------------------------------------- counter, credit, refunds


def counter_payment_record(*, lease, amount, method, receipt_no, actor, bank_txn_id=None, paid_at=None,
                           note="") -> Payment:
    """Cash or POS at the district's counter: applied to the lease's unpaid bills, oldest first; what is
    left becomes credit. `receipt_no` is the number of the receipt handed over (unique)."""
    amount = money(amount)
    if amount <= ZERO:
        raise PaymentError("缴费金额须大于零。", fields={"amount": "缴费金额须大于零。"})
    if method not in (PaymentMethod.CASH, PaymentMethod.POS):
        raise PaymentError("柜台缴费方式须为现金或 POS 刷卡。")
    receipt_no = (receipt_no or "").strip()
    if not receipt_no:
        raise PaymentError("请填写收据号。", fields={"receipt_no": "请填写收据号。"})
    if method == PaymentMethod.POS and not (bank_txn_id or "").strip():
        raise PaymentError("POS 刷卡请填写签购单上的参考号。", fields={"bank_txn_id": "请填写参考号。"})
    if not workflow.may_see(lease, actor):
        raise workflow.NotFound("未找到该租赁合同。")
    with transaction.atomic():
        if Payment.objects.filter(receipt_no=receipt_no).exists():
            raise PaymentError(f"收据号 {receipt_no} 已登记过缴费。", fields={"receipt_no": "收据号已使用。"})
        if bank_txn_id and Payment.objects.filter(bank_txn_id=bank_txn_id.strip()).exists():
            raise PaymentError("该参考号已登记过缴费。", fields={"bank_txn_id": "参考号已使用。"})
        payment = Payment.objects.create(
            method=method, tenant_id=lease.tenant_id, lease=lease, district_id=lease.district_id, amount=amount,
            receipt_no=receipt_no, bank_txn_id=(bank_txn_id or "").strip() or None, paid_at=paid_at or timezone.now(),
            recorded_by=actor if isinstance(actor, get_user_model()) else None,
            note=note[:200])
        outstanding = lease.bills.exclude(status=BillStatus.PAID).values_list("pk", flat=True)
        _receive(payment, outstanding, actor=actor, opinion=f"柜台缴费 收据号 {receipt_no}")
    return payment


def statement_payment_record(*, lease, amount, bank_txn_id, paid_at, actor, note="") -> Payment:
    """A bank statement line a caseworker accepted (reconciliation.py) that names no order of ours:
    applied like a counter payment to the lease's unpaid bills, the rest kept as credit."""
    payment = Payment.objects.create(
        method=PaymentMethod.STATEMENT, tenant_id=lease.tenant_id, lease=lease, district_id=lease.district_id,
        amount=money(amount), bank_txn_id=bank_txn_id, paid_at=paid_at,
        recorded_by=actor if isinstance(actor, get_user_model()) else None, note=note[:200])
    _receive(payment, lease.bills.exclude(status=BillStatus.PAID).values_list("pk", flat=True), actor=actor,
             opinion=f"对账认定入账 {bank_txn_id}")
    return payment


def order_paid_from_statement(order, *, bank_txn_id, amount, paid_at, actor) -> tuple[str, str]:
    """A statement line paying one of our pending orders whose notification never came: applied as the
    bank's notification would have been (the caseworker's decision is recorded by reconciliation.py)."""
    with transaction.atomic():
        locked = workflow.lock(order)
        outcome, message = _apply_bank_result(locked, status="SUCCESS", bank_txn_id=bank_txn_id, amount=money(amount),
                                              paid_at=paid_at, source="query")
        if outcome == Outcome.REFUSED:
            raise PaymentError(message)
        if outcome == Outcome.APPLIED:
            Payment.objects.filter(order=locked).update(recorded_by=actor if isinstance(actor, get_user_model()) else None)
    return outcome, message


def credit_apply(*, lease, actor=None) -> Decimal:
    """Use the lease's credit on its unpaid bills, oldest first; returns the amount used."""
    with transaction.atomic():
        credit = _credit_for(lease)
        if credit.balance <= ZERO:
            return ZERO
        bills = _locked_bills(lease.bills.exclude(status=BillStatus.PAID).values_list("pk", flat=True))
        used = ZERO
        for bill in bills:
            share = min(credit.balance - used, bill.amount - bill.amount_paid)
            if share <= ZERO:
                continue
            bill_apply_amount(bill=bill, amount=share, actor=actor if workflow.may_see(bill, actor) else None,
                              opinion="预存余额抵扣")
            PaymentAllocation.objects.create(from_credit=True, bill=bill, amount=share)
            CreditEntry.objects.create(credit=credit, kind=CreditEntry.Kind.USED, amount=-share, bill=bill)
            used += share
        credit.balance = money(credit.balance - used)
        credit.save(update_fields=["balance", "updated_at"])
    return used


def refundable(payment) -> Decimal:
    refunded = sum((r.amount for r in payment.refunds.all()), ZERO)
    return money(payment.amount - refunded)


def refund_record(*, payment, amount, reason, actor=None) -> Refund:
    """Pay money back from `payment`: from the lease's credit first, then out of the bills this payment
    paid (newest first), which go back to partly paid or unpaid."""
    amount = money(amount)
    if amount <= ZERO:
        raise PaymentError("退款金额须大于零。")
    if not (reason or "").strip():
        raise PaymentError("请填写退款原因。")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if amount > refundable(payment):
            raise PaymentError(f"退款金额超过该笔缴费可退金额 {refundable(payment)} 元。")
        credit = _credit_for(payment.lease)
        net = {}
        for alloc in PaymentAllocation.objects.filter(payment=payment).order_by("pk"):
            net[alloc.bill_id] = net.get(alloc.bill_id, ZERO) + alloc.amount
        from_credit = min(credit.balance, amount)
        if amount - from_credit > sum(net.values(), ZERO):
            raise PaymentError("该笔缴费已抵扣的账单金额不足以退款。")
        refund = Refund.objects.create(payment=payment, amount=amount, reason=reason.strip()[:200], actor=actor)
        if from_credit > ZERO:
            credit.balance = money(credit.balance - from_credit)
            credit.save(update_fields=["balance", "updated_at"])
            CreditEntry.objects.create(credit=credit, kind=CreditEntry.Kind.REFUND, amount=-from_credit,
                                       refund=refund, payment=payment)
        left = amount - from_credit
        bills = {b.pk: b for b in _locked_bills([pk for pk, v in net.items() if v > ZERO])}
        for bill_id in sorted(bills, key=lambda pk: (bills[pk].period, pk), reverse=True):
            if left <= ZERO:
                break
            bill = bills[bill_id]
            share = min(left, net[bill_id], bill.amount_paid)
            bill_apply_amount(bill=bill, amount=-share, actor=None, opinion=f"退款：{reason.strip()[:100]}")
            PaymentAllocation.objects.create(payment=payment, refund=refund, bill=bill, amount=-share)
            left -= share
    return refund
