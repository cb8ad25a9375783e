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
import re
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
from notifications.services import message_send
from rent.billing.services import bill_apply_amount
from rent.models import (
    Bill,
    BillAdjustment,
    BillStatus,
    CreditEntry,
    DepositRefund,
    DepositRefundStatus,
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


def _to_credit(lease, amount, *, payment=None, bill=None, kind=CreditEntry.Kind.OVERPAYMENT):
    if amount <= ZERO:
        return
    credit = _credit_for(lease)
    credit.balance = money(credit.balance + amount)
    credit.save(update_fields=["balance", "updated_at"])
    CreditEntry.objects.create(credit=credit, kind=kind, amount=amount, payment=payment, bill=bill)


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
        if not RentCredit.objects.filter(lease=lease, balance__gt=ZERO).exists():
            return ZERO
        # bills before credit, as a payment locks them (_receive): the two never wait on each other
        bills = _locked_bills(lease.bills.exclude(status=BillStatus.PAID).values_list("pk", flat=True))
        credit = _credit_for(lease)
        if credit.balance <= ZERO or not bills:
            return ZERO
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


def credits_apply_range(*, lo: int, hi: int) -> tuple[int, Decimal]:
    """Credit of the leases with ids in [lo, hi) used on their unpaid bills (the month's bill chunk calls
    this right after making the bills, in its transaction). Idempotent: used credit is gone, so a chunk
    run again finds nothing to use. Returns (leases, amount)."""
    leases, total = 0, ZERO
    ids = list(RentCredit.objects.filter(lease_id__gte=lo, lease_id__lt=hi, balance__gt=ZERO)
               .order_by("lease_id").values_list("lease_id", flat=True))
    if not ids:
        return 0, ZERO
    from rent.models import Lease

    for lease in Lease.objects.filter(pk__in=ids).order_by("pk"):
        used = credit_apply(lease=lease, actor=None)
        if used:
            leases += 1
            total += used
    return leases, total


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
        net = {}
        for alloc in PaymentAllocation.objects.filter(payment=payment).order_by("pk"):
            net[alloc.bill_id] = net.get(alloc.bill_id, ZERO) + alloc.amount
        # bills before credit, in the order a payment locks them (_receive): the two never wait on each other
        bills = {b.pk: b for b in _locked_bills([pk for pk, v in net.items() if v > ZERO])}
        credit = _credit_for(payment.lease)
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
        for bill_id in sorted(bills, key=lambda pk: (bills[pk].period, pk), reverse=True):
            if left <= ZERO:
                break
            bill = bills[bill_id]
            share = min(left, net[bill_id], bill.amount_paid)
            bill_apply_amount(bill=bill, amount=-share, actor=None, opinion=f"退款：{reason.strip()[:100]}")
            PaymentAllocation.objects.create(payment=payment, refund=refund, bill=bill, amount=-share)
            left -= share
    return refund


# --------------------------------------------------------------------------------- correcting a bill


def _bill_target(paid: Decimal, amount: Decimal) -> str:
    if paid == amount:
        return BillStatus.PAID
    return BillStatus.UNPAID if paid == ZERO else BillStatus.PARTLY_PAID


def bill_correct(*, bill, line, reason: str, actor=None) -> BillAdjustment | None:
    """Set a bill to what `line` (rent/leases/terms.py BillLine, or None: the lease did not run in the
    period at all) says it should be — the lease ended inside the period, or its rent changed from a
    day the bill covers. Recorded as a BillAdjustment; what was already paid beyond the new amount is
    taken off the bill and kept as the lease's credit. None when the amount is already right."""
    with transaction.atomic():
        locked = workflow.lock(bill)
        new = money(line.amount) if line is not None else ZERO
        if new == locked.amount:
            return None
        old, paid = locked.amount, locked.amount_paid
        excess = max(paid - new, ZERO)
        if line is not None:
            locked.period_start, locked.period_end = line.period_start, line.period_end
            locked.days, locked.monthly_rent = line.days, line.monthly_rent
            locked.lines, locked.note = line.lines, (line.note or reason)[:400]
        else:
            locked.days, locked.lines = 0, []
            locked.note = f"{reason}：本账期不计租金"[:400]
        locked.amount, locked.amount_paid = new, paid - excess
        target = _bill_target(locked.amount_paid, new)
        opinion = f"账单调整 {old} → {new} 元：{reason}"
        if target == locked.status:
            locked.save()
        else:
            name = {BillStatus.PAID: "settle", BillStatus.PARTLY_PAID: "settle_partly",
                    BillStatus.UNPAID: "reopen"}[target]
            workflow.transition(locked, name, actor=actor if workflow.may_see(locked, actor) else None, opinion=opinion)
        if excess > ZERO:
            PaymentAllocation.objects.create(bill=locked, amount=-excess)
            _to_credit(locked.lease, excess, bill=locked, kind=CreditEntry.Kind.ADJUSTED)
        return BillAdjustment.objects.create(
            bill=locked, old_amount=old, new_amount=new, to_credit=excess, reason=reason[:300],
            actor=actor if isinstance(actor, get_user_model()) else None)


# --------------------------------------------------------------------------------- deposit refunds

REFERENCE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEPOSIT_REFUNDABLE = ("ended", "terminated")


def _account_digits(account_no) -> str:
    text = re.sub(r"[\s\-]", "", str(account_no or ""))
    if any("０" <= ch <= "９" for ch in text):
        raise PaymentError("账号中含有全角数字，请切换到半角输入后重新输入。", fields={"account_no": ["fullwidth"]})
    if not re.fullmatch(r"\d{16,19}", text):
        raise PaymentError("银行账号应为 16 至 19 位数字。", fields={"account_no": ["invalid"]})
    return text


def deposit_refundable(lease) -> Decimal:
    """The deposit less what was refunded or is being refunded (failed refunds do not count)."""
    taken = sum((r.amount for r in DepositRefund.objects.filter(lease=lease)
                 .exclude(status=DepositRefundStatus.FAILED)), ZERO)
    return money(lease.deposit - taken)


def deposit_refund_send(*, lease, amount, reference: str, account_name: str, account_no: str, actor) -> DepositRefund:
    """押金退还 after move-out through the bank: the account checked with the bank (name and number),
    then a one-line 代发 batch whose 批次号 is `reference`, whose result line is recorded (paid or
    failed, the tenant told). Idempotent by reference: the same reference again returns that refund
    (asking the bank again while it is pending — the bank answers the first result for a batch)."""
    reference = (reference or "").strip()
    if not REFERENCE_RE.fullmatch(reference):
        raise PaymentError("退还编号须为 1 至 64 位字母、数字、下划线或连字符（用作银行代发批次号）。",
                           fields={"reference": ["invalid"]})
    try:
        amount = money(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise PaymentError("退还金额格式不正确。", fields={"amount": ["invalid"]}) from None
    existing = DepositRefund.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.lease_id != lease.pk or existing.amount != amount:
            raise PaymentError(f"退还编号 {reference} 已用于另一笔押金退还（{existing.amount} 元），请使用新的编号。",
                               fields={"reference": ["used"]}, code="reference_used")
        if existing.status == DepositRefundStatus.PENDING:
            return _deposit_refund_submit(existing, actor=actor)
        return existing
    if not workflow.may_see(lease, actor):
        raise workflow.NotFound("未找到该租赁合同。")
    if lease.status not in DEPOSIT_REFUNDABLE:
        raise PaymentError(f"合同状态为“{lease.get_status_display()}”，合同终止并腾退房屋后才能退还押金。",
                           code="lease_not_ended")
    if amount <= ZERO:
        raise PaymentError("退还金额须大于零。", fields={"amount": ["invalid"]})
    left = deposit_refundable(lease)
    if amount > left:
        raise PaymentError(f"退还金额 {amount} 元超过可退押金 {left} 元。", fields={"amount": ["too_much"]})
    name = (account_name or "").strip()
    if not name:
        raise PaymentError("请填写收款户名。", fields={"account_name": ["required"]})
    number = _account_digits(account_no)
    try:
        check = bank_client.get_bank().verify_account(name=name, account_no=number)
    except bank_client.BankError as exc:
        raise PaymentError(f"暂时无法连接银行核验账户：{exc}。押金退还未登记，请稍后再试。", code="bank_unavailable") from None
    if not check.ok:
        raise PaymentError(f"银行核验未通过：{check.reason}。请核对收款户名和账号。",
                           fields={"account_no": [check.reason]}, code="account_rejected")
    try:
        with transaction.atomic():
            refund = DepositRefund(reference=reference, lease=lease, tenant_id=lease.tenant_id,
                                   district_id=lease.district_id, amount=amount, account_name=name[:60],
                                   account_no=number, actor=actor if isinstance(actor, get_user_model()) else None)
            refund.save()
            workflow.record_start(refund, actor=actor,
                                  opinion=f"押金退还 {amount} 元至 {name} 账户 {refund.masked_account}，提交银行代发")
    except IntegrityError:  # the same reference at the same moment
        return DepositRefund.objects.get(reference=reference)
    return _deposit_refund_submit(refund, actor=actor)


def _deposit_refund_file(refund) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["批次号", "序号", "户名", "账号", "金额", "摘要"])
    writer.writerow([refund.reference, 1, refund.account_name, refund.account_no, str(refund.amount),
                     f"公租房押金退还 {refund.lease.number}"])
    return out.getvalue().encode("utf-8")


def _deposit_refund_submit(refund, *, actor=None) -> DepositRefund:
    import io

    from gongzufang.bank.files import BankFileError, read_table

    try:
        result = bank_client.get_bank().submit_disbursement(refund.reference, io.BytesIO(_deposit_refund_file(refund)),
                                                            f"{refund.reference}.csv")
    except bank_client.BankError as exc:
        raise PaymentError(f"提交银行失败：{exc}。押金退还已登记（待银行处理），可用同一退还编号重试。",
                           code="bank_unavailable") from None
    try:
        rows = read_table(result, "result.csv")
    except BankFileError:
        rows = []
    line = next((r for r in rows[1:] if len(r) >= 7 and r[0] == refund.reference and r[1] == "1"), None)
    if line is None:
        raise PaymentError("银行代发结果文件中没有该笔押金退还，已保留为待银行处理，请稍后重试。", code="bank_result")
    with transaction.atomic():
        locked = workflow.lock(refund)
        if locked.status != DepositRefundStatus.PENDING:
            return locked
        if line[4] == "成功":
            workflow.transition(locked, "mark_paid", actor=None, bank_txn_id=line[6][:64],
                                opinion=f"银行代发成功，流水号 {line[6]}")
            title, body = "押金已退还", (f"您的租赁合同（{locked.lease.number}）押金 {locked.amount} 元已退至您尾号 "
                                    f"{locked.account_last4} 的银行账户。")
        else:
            reason = line[5] or "银行未说明原因"
            workflow.transition(locked, "mark_failed", actor=None, reason=reason, opinion=f"银行代发失败：{reason}")
            title, body = "押金退还未成功", (f"您的租赁合同（{locked.lease.number}）押金 {locked.amount} 元退还未成功"
                                      f"（{reason}）。请联系区住房保障中心更正收款账户后重新办理。")
        tenant = locked.lease.tenant
        key = f"rent.deposit_refund:{locked.pk}:{locked.status}"
        message_send(recipient=tenant, title=title, body=body, subject=locked.lease, dedup_key=key)
    return locked
