"""Daily statement reconciliation: the simulated bank's statement (real HTTP) → matched, unmatched and
mismatched lines; an unmatched line becomes a payment only by a caseworker's recorded decision."""

from decimal import Decimal

import pytest

from gongzufang import workflow
from gongzufang.bank.simulated import now_china
from rent.models import BillStatus, OrderStatus, Payment, PaymentOrder, StatementLine
from rent.payments import reconciliation, services
from tests.rent import payment_builders as pb

pytestmark = pytest.mark.django_db
Match, Decision = StatementLine.Match, StatementLine.Decision


def _online(bank, lease, bills, *, notify=True):
    order = services.order_create(tenant=lease.tenant, bill_ids=[b.pk for b in bills])
    bank.lose_notifications(order.order_no)
    bank.pay(order.order_no)
    if notify:
        raw, signature = bank.notification(order.order_no)
        assert services.notification_receive(raw_body=raw, signature=signature).ok
    return order


@pytest.fixture
def day_of_payments(simulated_bank):
    """Today at the bank: one order paid and notified, one paid whose notification was lost, a counter
    deposit the portal never saw, a line naming a pending order with another amount, and a line of
    another district's order."""
    lease = pb.lease()
    notified = _online(simulated_bank, lease, pb.bills(lease, 1))
    lost = _online(simulated_bank, lease, pb.bills(lease, 1), notify=False)
    pending = services.order_create(tenant=lease.tenant, bill_ids=[pb.bill(lease).pk])
    other_lease = pb.lease(district_code="230603")
    other = _online(simulated_bank, other_lease, pb.bills(other_lease, 1))
    today = now_china().date()
    simulated_bank.add_statement_line(day=today, bank_txn_id="CCBCOUNTER0001", amount=Decimal("520.00"))
    simulated_bank.add_statement_line(day=today, bank_txn_id="CCBODD0001", order_no=pending.order_no,
                                      amount=Decimal("499.00"))
    return {"lease": lease, "notified": notified, "lost": lost, "pending": pending, "other": other, "day": today}


def test_a_statement_sorts_lines_into_matched_unmatched_and_mismatched(day_of_payments, district_a, dave):
    statement = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=dave)
    lines = {line.bank_txn_id: line for line in statement.lines.all()}
    notified, lost = day_of_payments["notified"], day_of_payments["lost"]
    notified.refresh_from_db()
    assert lines[notified.bank_txn_id].match == Match.MATCHED and lines[notified.bank_txn_id].decision == ""
    lost_txn = next(t for t, line in lines.items() if line.order_no == lost.order_no)
    assert lines[lost_txn].match == Match.UNMATCHED and lines[lost_txn].decision == Decision.PENDING
    assert "未收到银行通知" in lines[lost_txn].note
    assert lines["CCBCOUNTER0001"].match == Match.UNMATCHED and lines["CCBCOUNTER0001"].order is None
    assert lines["CCBODD0001"].match == Match.MISMATCHED and "499.00" in lines["CCBODD0001"].note
    assert len(lines) == 4 and statement.other_district_lines == 1
    assert reconciliation.summary(statement) == {"matched": 1, "unmatched": 2, "mismatched": 1, "pending": 3}
    # Nothing became a payment by being imported.
    assert Payment.objects.filter(bank_txn_id__in=["CCBCOUNTER0001", lost_txn]).count() == 0
    assert PaymentOrder.objects.get(pk=lost.pk).status == OrderStatus.PENDING


def test_an_unmatched_line_becomes_a_payment_only_by_a_caseworkers_decision(day_of_payments, district_a, dave):
    lease = day_of_payments["lease"]
    statement = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=dave)
    counter_line = statement.lines.get(bank_txn_id="CCBCOUNTER0001")
    unpaid_before = list(lease.bills.exclude(status=BillStatus.PAID).order_by("period"))

    with pytest.raises(reconciliation.StatementError, match="理由"):
        reconciliation.line_accept(line=counter_line, actor=dave, note="", lease=lease)
    with pytest.raises(reconciliation.StatementError, match="租赁合同"):
        reconciliation.line_accept(line=counter_line, actor=dave, note="承租人到银行柜台存入")
    payment = reconciliation.line_accept(line=counter_line, actor=dave, note="承租人到银行柜台存入", lease=lease)
    assert payment.method == "statement" and payment.amount == Decimal("520.00") and payment.recorded_by == dave
    counter_line.refresh_from_db()
    assert (counter_line.decision, counter_line.decided_by, counter_line.payment) == (Decision.ACCEPTED, dave, payment)
    assert counter_line.decision_note == "承租人到银行柜台存入" and counter_line.match == Match.MATCHED
    first, second = unpaid_before
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BillStatus.PAID  # the oldest unpaid bill, then 20 yuan on the next
    assert (second.status, second.amount_paid) == (BillStatus.PARTLY_PAID, Decimal("20.00"))
    with pytest.raises(reconciliation.StatementError, match="已处理"):
        reconciliation.line_accept(line=counter_line, actor=dave, note="再来一次", lease=lease)

    # The lost order's line pays the order itself.
    lost = day_of_payments["lost"]
    lost_line = statement.lines.get(order_no=lost.order_no)
    reconciliation.line_accept(line=lost_line, actor=dave, note="银行通知未到，按对账单入账")
    lost.refresh_from_db()
    assert lost.status == OrderStatus.PAID and lost.payment.bank_txn_id == lost_line.bank_txn_id
    # its bill was paid by the counter deposit meanwhile: the order's 500 yuan is kept as credit
    lease.refresh_from_db()
    assert lease.credit.balance == Decimal("500.00")

    # Importing again keeps the decisions and makes nothing twice.
    again = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=dave)
    assert again.pk == statement.pk and again.lines.count() == 4
    assert again.lines.get(bank_txn_id="CCBCOUNTER0001").decision == Decision.ACCEPTED
    assert reconciliation.summary(again) == {"matched": 3, "unmatched": 0, "mismatched": 1, "pending": 1}
    assert Payment.objects.filter(bank_txn_id="CCBCOUNTER0001").count() == 1


def test_a_line_can_be_set_aside_with_a_reason(day_of_payments, district_a, dave):
    statement = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=dave)
    line = statement.lines.get(bank_txn_id="CCBODD0001")
    reconciliation.line_dismiss(line=line, actor=dave, note="非租金款项，已退回汇款人")
    line.refresh_from_db()
    assert line.decision == Decision.DISMISSED and line.decided_by == dave
    assert not Payment.objects.filter(bank_txn_id="CCBODD0001").exists()


def test_another_districts_caseworker_cannot_decide(day_of_payments, district_a, dave, bob):
    statement = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=dave)
    line = statement.lines.get(bank_txn_id="CCBCOUNTER0001")
    with pytest.raises(workflow.NotFound):
        reconciliation.line_accept(line=line, actor=bob, note="x", lease=day_of_payments["lease"])
    line.refresh_from_db()
    assert line.decision == Decision.PENDING


def test_a_lease_of_another_district_cannot_take_the_money(day_of_payments, district_a, chen):
    statement = reconciliation.statement_fetch(district=district_a, day=day_of_payments["day"], actor=chen)
    line = statement.lines.get(bank_txn_id="CCBCOUNTER0001")
    other = pb.lease(district_code="230603")
    with pytest.raises(reconciliation.StatementError, match="不在本区县"):
        reconciliation.line_accept(line=line, actor=chen, note="x", lease=other)


def test_an_excel_statement_imports_the_same(simulated_bank, district_a, dave):
    import urllib.request

    lease = pb.lease()
    order = _online(simulated_bank, lease, pb.bills(lease, 1))
    day = now_china().date()
    with urllib.request.urlopen(f"{simulated_bank.url}/api/statements/{day}.xlsx", timeout=5) as r:
        content = r.read()
    statement = reconciliation.statement_import(district=district_a, content=content, filename="s.xlsx", actor=dave)
    order.refresh_from_db()
    assert list(statement.lines.values_list("bank_txn_id", "match")) == [(order.bank_txn_id, "matched")]


@pytest.mark.parametrize(("content", "message"), [
    ("日期,流水\n2026-12-01,X\n", "表头须为"),
    ("交易日期,银行流水号,订单号,金额,状态\n2026-13-01,X,,1.00,成功\n", "第 2 行：交易日期"),
    ("交易日期,银行流水号,订单号,金额,状态\n2026-12-01,X,,1.0.0,成功\n", "第 2 行：金额"),
    ("交易日期,银行流水号,订单号,金额,状态\n2026-12-01,X,,1.00,成功\n2026-12-02,Y,,1.00,成功\n", "一个交易日期"),
    ("交易日期,银行流水号,订单号,金额,状态\n", "没有明细行"),
])
def test_a_bad_statement_file_is_refused_in_chinese(district_a, dave, content, message):
    with pytest.raises(reconciliation.StatementError, match=message):
        reconciliation.statement_import(district=district_a, content=content.encode(), filename="s.csv", actor=dave)
    assert not StatementLine.objects.exists()


