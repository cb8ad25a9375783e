"""Daily bank statement reconciliation (对账, DESIGN §8): a district imports the bank's statement of a
day (CSV or Excel, docs/bank.md, or fetched from the bank), and every line is

- matched (已对平): a payment of ours with that 银行流水号 and the same amount;
- mismatched (金额不符): a payment or an order of ours with that 流水号 / 订单号 but another amount;
- unmatched (未匹配): money the bank received that the portal has no payment for — a counter deposit,
  a transfer, or one of our orders whose notification never came.

An unmatched line becomes a payment only by a caseworker's decision (`line_accept`, naming the lease
when the line names no order; the decision, who and why are recorded on the line), or is set aside
(`line_dismiss`). Importing the same day again refreshes the lines and keeps the decisions.
Lines of another district's orders are counted and left to that district.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from gongzufang import workflow
from gongzufang.bank import client as bank_client
from gongzufang.bank.files import BankFileError, read_table
from gongzufang.errors import PortalError
from rent.models import Lease, OrderStatus, Payment, PaymentOrder, StatementImport, StatementLine

from . import services

HEADER = ["交易日期", "银行流水号", "订单号", "金额", "状态"]
Match, Decision = StatementLine.Match, StatementLine.Decision


class StatementError(PortalError):
    code = "statement_invalid"


def parse_statement(content: bytes, filename: str = "") -> tuple[date, list[dict]]:
    """(day, lines) of a statement file; StatementError (Chinese, with the line number) otherwise."""
    try:
        rows = read_table(content, filename)
    except BankFileError as exc:
        raise StatementError(str(exc)) from None
    if not rows or rows[0][:5] != HEADER:
        raise StatementError(f"对账单表头须为：{','.join(HEADER)}")
    lines, days = [], set()
    for index, row in enumerate(rows[1:], start=2):
        row = (row + [""] * 5)[:5]
        day_text, txn, order_no, amount_text, status = row
        try:
            day = date.fromisoformat(day_text[:10])
        except ValueError:
            raise StatementError(f"第 {index} 行：交易日期“{day_text}”格式不正确") from None
        if not txn:
            raise StatementError(f"第 {index} 行：缺少银行流水号")
        try:
            amount = bank_client.parse_money(amount_text)
        except ValueError:
            raise StatementError(f"第 {index} 行：金额“{amount_text}”格式不正确") from None
        days.add(day)
        lines.append({"line_no": index - 1, "day": day, "bank_txn_id": txn[:64], "order_no": order_no[:64],
                      "amount": amount, "bank_status": status[:20]})
    if not lines:
        raise StatementError("对账单没有明细行")
    if len(days) != 1:
        raise StatementError("一份对账单只能有一个交易日期")
    if len({line["bank_txn_id"] for line in lines}) != len(lines):
        raise StatementError("对账单中有重复的银行流水号")
    return days.pop(), lines


def _classify(line: dict):
    """(match, note, order, payment, district_id or None) of one statement line."""
    payment = Payment.objects.filter(bank_txn_id=line["bank_txn_id"]).select_related("order").first()
    order = PaymentOrder.objects.filter(order_no=line["order_no"]).first() if line["order_no"] else None
    if payment is not None:
        order = order or payment.order
        if payment.amount == line["amount"]:
            return Match.MATCHED, f"收据号 {payment.receipt_no}", order, payment, payment.district_id
        return (Match.MISMATCHED, f"平台登记金额 {payment.amount} 元，银行 {line['amount']} 元", order, payment,
                payment.district_id)
    if order is not None:
        if order.amount != line["amount"]:
            return (Match.MISMATCHED, f"订单金额 {order.amount} 元，银行 {line['amount']} 元", order, None,
                    order.district_id)
        return (Match.UNMATCHED, f"订单“{order.get_status_display()}”，平台未收到银行通知", order, None,
                order.district_id)
    return Match.UNMATCHED, "平台无对应订单或缴费", None, None, None


def statement_import(*, district, content: bytes, filename: str = "", actor=None) -> StatementImport:
    """Import (or re-import) a day's statement for `district`."""
    day, lines = parse_statement(content, filename)
    with transaction.atomic():
        statement, _created = StatementImport.objects.select_for_update().get_or_create(
            district=district, day=day, defaults={"filename": filename[:200], "imported_by": actor})
        other = 0
        kept = 0
        for line in lines:
            match, note, order, payment, line_district = _classify(line)
            if line_district is not None and line_district != district.pk:
                other += 1
                continue
            kept += 1
            existing = StatementLine.objects.filter(statement=statement, bank_txn_id=line["bank_txn_id"]).first()
            decided = existing is not None and existing.decision in (Decision.ACCEPTED, Decision.DISMISSED)
            values = {**line, "match": match, "note": note[:200], "order": order, "payment": payment or (
                existing.payment if existing else None)}
            if not decided:
                values["decision"] = "" if match == Match.MATCHED else Decision.PENDING
            StatementLine.objects.update_or_create(statement=statement, bank_txn_id=line["bank_txn_id"],
                                                   defaults=values)
        statement.filename = filename[:200]
        statement.imported_by = actor if getattr(actor, "pk", None) and hasattr(actor, "role") else None
        statement.imported_at = timezone.now()
        statement.lines_total = kept
        statement.other_district_lines = other
        statement.save()
    return statement


def statement_fetch(*, district, day: date, actor=None) -> StatementImport:
    """Fetch the day's statement from the bank and import it."""
    content = bank_client.get_bank().statement(day)
    return statement_import(district=district, content=content, filename=f"statement-{day}.csv", actor=actor)


def _line_locked(line, actor) -> StatementLine:
    if not StatementLine.objects.for_user(actor).filter(pk=line.pk).exists():
        raise workflow.NotFound("未找到该对账单明细。")
    locked = StatementLine.objects.select_for_update(of=("self",)).select_related("statement", "order").get(pk=line.pk)
    if locked.decision != Decision.PENDING:
        raise StatementError(f"该行已处理（{locked.get_decision_display()}），不能重复决定。")
    return locked


def line_accept(*, line, actor, note, lease=None) -> Payment:
    """A caseworker decides an unmatched line is rent received: it becomes a payment (the order's, when
    the line names one of our orders; else applied to `lease`'s unpaid bills, the rest as credit)."""
    note = (note or "").strip()
    if not note:
        raise StatementError("请填写认定入账的理由。", fields={"note": "请填写理由。"})
    with transaction.atomic():
        locked = _line_locked(line, actor)
        if locked.match != Match.UNMATCHED:
            raise StatementError("只有未匹配的行可以认定入账；金额不符的行请核实后处理。")
        paid_at = timezone.make_aware(datetime.combine(locked.day, time(12, 0)))
        if locked.order is not None and locked.order.status != OrderStatus.PAID:
            services.order_paid_from_statement(locked.order, bank_txn_id=locked.bank_txn_id, amount=locked.amount,
                                               paid_at=paid_at, actor=actor)
            payment = Payment.objects.get(bank_txn_id=locked.bank_txn_id)
        else:
            if lease is None:
                raise StatementError("请选择该笔款项所属的租赁合同。", fields={"lease": "请选择租赁合同。"})
            lease = Lease.objects.for_user(actor).filter(pk=lease.pk, district_id=locked.statement.district_id).first()
            if lease is None:
                raise StatementError("所选租赁合同不在本区县。", fields={"lease": "所选租赁合同不在本区县。"})
            if Payment.objects.filter(bank_txn_id=locked.bank_txn_id).exists():
                raise StatementError("该银行流水号已登记过缴费。")
            payment = services.statement_payment_record(lease=lease, amount=locked.amount, bank_txn_id=locked.bank_txn_id,
                                                        paid_at=paid_at, actor=actor, note=f"对账认定：{note}")
        locked.payment = payment
        locked.match = Match.MATCHED
        locked.decision = Decision.ACCEPTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note[:200]
        locked.save()
    return payment


def line_dismiss(*, line, actor, note) -> StatementLine:
    """A caseworker decides a line is not rent of this district (recorded; nothing is paid)."""
    note = (note or "").strip()
    if not note:
        raise StatementError("请填写不予入账的理由。", fields={"note": "请填写理由。"})
    with transaction.atomic():
        locked = _line_locked(line, actor)
        locked.decision = Decision.DISMISSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note[:200]
        locked.save()
    return locked


def summary(statement) -> dict:
    counts = dict.fromkeys(Match.values, 0)
    for match in statement.lines.values_list("match", flat=True):
        counts[match] += 1
    counts["pending"] = statement.lines.filter(decision=Decision.PENDING).count()
    return counts
