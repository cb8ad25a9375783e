"""Monthly batches: every payable grant exactly once, approved by the district and confirmed by the
city, the bank file, the bank's results; failed payments paid in the next batch once the account is
fixed; nothing paid twice whatever is re-run or re-imported."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gongzufang.errors import PortalError
from gongzufang.workflow import NotFound, PermissionDenied
from subsidies import bankfile, services
from subsidies.models import BatchStatus, PaymentLine, PaymentStatus, SubsidyBatch, SubsidyPayment
from tests.factories import district

from .builders import approved_subsidy, fresh_account, ready_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants(simulated_bank):
    """Three payable grants, one suspended from the batch's month, one without an account."""
    ready = [ready_grant(rent="2000.00"), ready_grant(rent="100.00"), ready_grant(category="lower_middle_income")]
    suspended = ready_grant()
    services.grant_suspend(grant=suspended, actor=None, reason="年审未申报", from_period=suspended.start_period)
    no_account = approved_subsidy()
    return {"ready": ready, "suspended": suspended, "no_account": no_account, "period": ready[0].start_period}


def _csv(batch):
    return b"".join(bankfile.write_csv(batch))


def test_the_batch_has_every_payable_grant_once_and_leaves_out_the_suspended(grants):
    report = services.batch_make(district=district("230602"), period=grants["period"])
    batch = report.batch
    assert report.created and batch.status == BatchStatus.FROZEN
    paid_grants = set(SubsidyPayment.objects.filter(batch=batch).values_list("grant_id", flat=True))
    assert paid_grants == {g.pk for g in grants["ready"]}
    amounts = sorted(SubsidyPayment.objects.filter(batch=batch).values_list("amount", flat=True))
    # 低收入 1 人 10 × 15 × 0.8 = 120.00; the same capped by a 100.00 rent; 中等偏下 1 人 8 × 15 × 0.6 = 72.00
    assert amounts == [D("72.00"), D("100.00"), D("120.00")]
    assert (batch.line_count, batch.total_amount) == (3, D("292.00"))
    assert sorted(PaymentLine.objects.filter(batch=batch).values_list("line_no", flat=True)) == [1, 2, 3]

    again = services.batch_make(district=district("230602"), period=grants["period"])
    assert (again.created, again.added, again.batch.pk) == (False, 0, batch.pk)
    assert SubsidyPayment.objects.filter(period=grants["period"]).count() == 3


def test_the_command_makes_then_shows_the_batch(grants, capsys):
    period = grants["period"]
    call_command("subsidy_batch", "--period", f"{period:%Y-%m}", "--district", "230602")
    first = capsys.readouterr().out
    call_command("subsidy_batch", "--period", f"{period:%Y-%m}")
    second = capsys.readouterr().out
    assert "已生成" in first and "新增 3 笔" in first and "合计 292.00 元" in first
    assert "已存在" in second and "未作改动" in second and "共 3 笔" in second
    assert SubsidyBatch.objects.count() == 1


def test_a_bad_month_is_refused_in_chinese(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="格式不正确"):
        call_command("subsidy_batch", "--period", "2026-13")


def _send(batch, dave, chen):
    services.batch_district_approve(batch=batch, actor=dave, opinion="名单无误")
    services.batch_city_confirm(batch=batch, actor=chen, opinion="同意")
    return services.batch_send_to_bank(batch=SubsidyBatch.objects.get(pk=batch.pk), actor=dave)


def test_district_approves_then_city_confirms_each_by_role(grants, carol, dave, bob, chen):
    batch = services.batch_make(district=district("230602"), period=grants["period"]).batch
    with pytest.raises(NotFound):
        services.batch_district_approve(batch=batch, actor=bob)
    with pytest.raises(PermissionDenied, match="区县经办人"):
        services.batch_district_approve(batch=batch, actor=chen)
    with pytest.raises(PortalError, match="当前状态"):
        services.batch_city_confirm(batch=batch, actor=chen)
    services.batch_district_approve(batch=batch, actor=dave)
    with pytest.raises(PermissionDenied, match="市级经办人"):
        services.batch_city_confirm(batch=batch, actor=dave)
    services.batch_city_confirm(batch=batch, actor=chen)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CITY_CONFIRMED
    assert list(batch.status_changes.order_by("id").values_list("to_status", "actor__username")) == [
        ("draft", None), ("frozen", None), ("district_approved", "dave"), ("city_confirmed", "chen")]


def test_the_bank_file_in_csv_and_xlsx_has_the_documented_columns(grants, dave, chen):
    batch = services.batch_make(district=district("230602"), period=grants["period"]).batch
    content = _csv(batch)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["批次号", "序号", "户名", "账号", "金额", "摘要"]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3"]
    account = grants["ready"][0].accounts.get()
    first = next(r for r in rows[1:] if r[3] == account.account_no)
    assert first[0] == batch.number and first[2] == "李华" and first[4] == "120.00"
    assert first[5] == f"{batch.period.year}年{batch.period.month}月租赁补贴"
    handle = bankfile.write_xlsx(batch)
    sheet = load_workbook(handle, read_only=True).active
    xrows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    handle.close()
    assert xrows == rows


def test_results_mark_paid_or_failed_with_the_banks_reason_and_a_second_import_changes_nothing(
        grants, simulated_bank, dave, chen):
    closed = grants["ready"][2].accounts.get()
    simulated_bank.set_account(closed.account_no, name=closed.holder_name, status="closed")
    batch = services.batch_make(district=district("230602"), period=grants["period"]).batch
    report = _send(batch, dave, chen)
    assert (report.paid, report.failed, report.complete) == (2, 1, True)
    batch.refresh_from_db()
    assert (batch.status, batch.paid_count, batch.failed_count, batch.paid_amount) == (
        BatchStatus.RESULTS_IMPORTED, 2, 1, D("220.00"))
    failed = SubsidyPayment.objects.get(grant=grants["ready"][2], period=grants["period"])
    assert (failed.status, failed.bank_reason) == (PaymentStatus.FAILED, "账户已销户")
    paid = SubsidyPayment.objects.get(grant=grants["ready"][0], period=grants["period"])
    assert paid.status == PaymentStatus.PAID and paid.bank_txn_id

    result = simulated_bank.batches[batch.number]
    changes = batch.status_changes.count()
    again = services.batch_import_results(batch=batch, actor=dave, content=result)
    assert (again.paid, again.failed, again.unchanged) == (0, 0, 3)
    assert batch.status_changes.count() == changes
    assert paid.status_changes.count() == SubsidyPayment.objects.get(pk=paid.pk).status_changes.count() == 1


def test_a_result_line_that_does_not_match_the_batch_is_refused_and_nothing_changes(grants, simulated_bank, dave, chen):
    batch = services.batch_make(district=district("230602"), period=grants["period"]).batch
    services.batch_district_approve(batch=batch, actor=dave)
    services.batch_city_confirm(batch=batch, actor=chen)
    services.batch_issue_file(batch=batch, actor=dave)
    line = PaymentLine.objects.filter(batch=batch).order_by("line_no").select_related("account").first()
    header = "批次号,序号,账号,金额,结果,失败原因,银行流水号\n"
    wrong_amount = f"{batch.number},{line.line_no},{line.account.account_no},999.99,成功,,TXN1\n"
    unknown_line = f"{batch.number},99,{line.account.account_no},{line.amount},成功,,TXN2\n"
    other_batch = f"BT999901230602,{line.line_no},{line.account.account_no},{line.amount},成功,,TXN3\n"
    for bad, words in ((wrong_amount, "金额 999.99"), (unknown_line, "没有该序号"), (other_batch, "不是本批次")):
        with pytest.raises(PortalError, match=words) as err:
            services.batch_import_results(batch=batch, actor=dave, content=(header + bad).encode())
        assert "未导入任何一笔" in err.value.message
    assert not SubsidyPayment.objects.filter(batch=batch).exclude(status=PaymentStatus.PENDING).exists()
    with pytest.raises(PortalError, match="表头"):
        services.batch_import_results(batch=batch, actor=dave, content=b"a,b\n1,2\n")


def test_a_failed_payment_is_paid_in_the_next_batch_once_the_account_is_fixed(grants, simulated_bank, dave, chen):
    grant = grants["ready"][2]
    closed = grant.accounts.get()
    simulated_bank.set_account(closed.account_no, name=closed.holder_name, status="closed")
    first_period = grants["period"]
    _send(services.batch_make(district=district("230602"), period=first_period).batch, dave, chen)
    second_period = services.next_period(first_period)

    # Not fixed yet: next month's batch pays the new month only (and would fail again).
    # The household changes its account with an SMS code.
    services.account_change_code_send(grant=grant, actor=grant.applicant)
    from notifications.models import SmsOutbox

    text = SmsOutbox.objects.filter(phone=grant.applicant.phone).order_by("-id").first().text
    import re

    code = re.search(r"\d{6}", text).group(0)
    services.account_change(grant=grant, actor=grant.applicant, account_no=fresh_account(), code=code)

    batch2 = services.batch_make(district=district("230602"), period=second_period)
    assert batch2.retried == 1 and batch2.added == 3
    retried = SubsidyPayment.objects.get(grant=grant, period=first_period)
    assert (retried.status, retried.batch_id, retried.attempts) == (PaymentStatus.PENDING, batch2.batch.pk, 2)
    assert batch2.batch.line_count == 4
    report = _send(batch2.batch, dave, chen)
    assert (report.paid, report.failed) == (4, 0)
    # One row per grant and month; the first month paid once, in the second batch.
    assert SubsidyPayment.objects.filter(grant=grant).count() == 2
    assert set(SubsidyPayment.objects.filter(grant=grant).values_list("status", flat=True)) == {PaymentStatus.PAID}
    assert PaymentLine.objects.filter(payment=retried, result="paid").count() == 1

    # A third batch does not take the paid month again.
    third = services.batch_make(district=district("230602"), period=services.next_period(second_period))
    assert third.retried == 0


def test_a_job_killed_half_way_and_run_again_makes_no_duplicates_and_misses_none(
        on_postgres, grants, monkeypatch):
    calls = {"n": 0}

    def crash(where):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "_crash_point", crash)
    with pytest.raises(RuntimeError):
        services.batch_make(district=district("230602"), period=grants["period"], chunk=1)
    batch = SubsidyBatch.objects.get()
    assert batch.status == BatchStatus.DRAFT
    assert SubsidyPayment.objects.filter(batch=batch).count() >= 1  # the first chunk is kept
    monkeypatch.setattr(services, "_crash_point", lambda where: None)
    from subsidies.tasks import make_due_batches
    from tests.helpers import at

    with at(grants["period"].replace(day=25)):
        make_due_batches.delay().get()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FROZEN
    payments = SubsidyPayment.objects.filter(batch=batch)
    assert sorted(payments.values_list("grant_id", flat=True)) == sorted(g.pk for g in grants["ready"])
    assert sorted(PaymentLine.objects.filter(batch=batch).values_list("line_no", flat=True)) == [1, 2, 3]
    assert batch.line_count == 3


def test_the_beat_job_waits_for_the_batch_day(grants):
    from tests.helpers import at

    with at(grants["period"].replace(day=5)):
        assert services.batch_make_due() == []
    with at(grants["period"].replace(day=20)):
        assert [r.batch.period for r in services.batch_make_due()] == [grants["period"]]
    assert SubsidyBatch.objects.filter(period=grants["period"]).count() == 1


def test_a_grant_stopped_before_the_month_is_left_out(grants):
    services.grant_stop(grant=grants["ready"][0], actor=None, reason="退出", from_period=grants["period"])
    batch = services.batch_make(district=district("230602"), period=grants["period"]).batch
    assert batch.line_count == 2
    assert date(2000, 1, 1) < batch.period
