"""退出 (DESIGN §9): grounds, 陈述申辩 period in working days, move-out at contract then market rent,
inspection, deposit settlement, the unit back in vacant stock, the lease ended, re-application bans
that the eligibility rules see; the arrears job and the tenant's own 退租申请."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.eligibility import rules
from gongzufang.errors import PortalError
from gongzufang.workdays import add_workdays
from rent.models import Lease
from tenancy import services
from tenancy.models import ExitCase, ExitStatus, ReapplicationBan
from tests.helpers import at
from tests.rent.builders import active_lease

WANG_LI = ("王丽", "621700123456789003")  # an account the simulated bank knows

pytestmark = pytest.mark.django_db


def test_sublet_exit_from_statement_to_closed_with_a_five_year_ban(dave, simulated_bank):
    lease = active_lease()
    case = services.exit_open(lease=lease, ground="sublet", origin="caseworker", facts="经现场核查，房屋转租他人居住。",
                              actor=dave)
    with pytest.raises(PortalError, match="已有未办结的退出事项"):
        services.exit_open(lease=lease, ground="sublet", origin="caseworker", facts="重复", actor=dave)
    with pytest.raises(PortalError, match="陈述申辩期"):
        services.exit_decide(case=case, actor=dave, opinion="转租属实")  # not yet told
    services.exit_notify(case=case, actor=dave)
    assert case.status == ExitStatus.STATEMENT
    assert case.statement_due == add_workdays(timezone.localdate(), 5)
    assert case.holder.site_messages.filter(title="保障退出告知", body__contains="转租转借").exists()
    with pytest.raises(PortalError, match="陈述申辩期尚未届满"):
        services.exit_decide(case=case, actor=dave, opinion="转租属实")
    services.exit_state_case(case=case, actor=lease.tenant, text="系亲属临时照看，并非转租。")
    services.exit_decide(case=case, actor=dave, opinion="经核实确系转租，申辩理由不成立")
    case.refresh_from_db()
    assert case.status == ExitStatus.MOVE_OUT
    assert case.market_rent_from == services.add_months(timezone.localdate(), 2)
    assert case.contract_rent_until == case.market_rent_from - timedelta(days=1)
    assert case.market_monthly_rent == (Decimal(lease.area) * Decimal("20.00")).quantize(Decimal("0.01"))
    # rent bills the market rent from the day the move-out period ends
    market = lease.rent_changes.get(kind="market")
    assert (market.effective_from, market.new_monthly_rent) == (case.market_rent_from, case.market_monthly_rent)

    services.exit_inspect(case=case, actor=dave, inspected_on=timezone.localdate(), condition="墙面轻微污损",
                          damage="厨房门把手损坏", water_meter="20.5", electricity_meter="420.0")
    with pytest.raises(PortalError, match="超过押金"):
        services.exit_settle(case=case, actor=dave, deductions=[("维修", lease.deposit + 1)])
    with pytest.raises(PortalError, match="尚未在退出页面填写退款账户"):
        services.exit_settle(case=case, actor=dave, deductions=[("门把手更换", "80.00")])
    assert not case.deductions.exists()
    services.exit_refund_account(case=case, actor=lease.tenant, account_name=WANG_LI[0], account_no=WANG_LI[1])
    services.exit_settle(case=case, actor=dave, deductions=[("门把手更换", "80.00"), ("保洁", "120.50")])
    case.refresh_from_db()
    assert case.deductions_total == Decimal("200.50")
    assert case.refund_amount == lease.deposit - Decimal("200.50")
    assert case.deductions.count() == 2 and case.refund_reference
    # the refund went through the bank (rent's deposit_refund_send) to the tenant's account
    refund = services.exit_refund(case)
    assert (refund.amount, refund.status, refund.masked_account) == (case.refund_amount, "paid", "**** **** **** 9003")
    lease.refresh_from_db()
    assert lease.status == "terminated" and lease.ended_on == timezone.localdate()

    services.exit_close(case=case, actor=dave)
    case.refresh_from_db()
    lease.refresh_from_db()
    assert case.status == ExitStatus.CLOSED
    assert lease.status == "terminated"
    assert lease.unit.status == "vacant"
    ban = ReapplicationBan.objects.get(case=case)
    assert ban.ground == "sublet"
    assert ban.ends_on == timezone.localdate().replace(year=timezone.localdate().year + 5)
    # the eligibility rule sees the ban at the next application
    found = services.bans_in_force([ban.id_number_hash], timezone.localdate())
    assert found == [("转租转借", ban.ends_on)]
    # … at the next application: a new household with the exited tenant as a member is refused by the
    # eligibility rules, with the ground and the end date
    from applications.models import HouseholdMember
    from tests.applications.builders import draft
    from tests.tenancy.builders import members_of

    exited = members_of(case.application_id)[0]
    app = draft()
    # the member written directly, to look at the rule alone; the same person applying again through the
    # wizard, the street and the cross-check is tests/tenancy/test_reapplication.py
    HouseholdMember.objects.create(household=app.household, relationship="spouse", name=exited.name,
                                   id_number=exited.id_number, sex=exited.sex, birth_date=exited.birth_date,
                                   marital_status="married", monthly_income=Decimal("1000"))
    assert HouseholdMember.objects.filter(household=app.household, id_number_hash=ban.id_number_hash).exists()
    evaluation = rules.evaluate(app)
    rule_result = next(r for r in evaluation.results if r["rule"] == "no_reapplication_ban")
    assert rule_result["passed"] is False and evaluation.passed is False
    assert f"曾因“转租转借”退出保障，{ban.ends_on:%Y年%m月%d日}前不得再次申请" in rule_result["reason"]
    assert [s.to_status for s in case.status_changes.order_by("id")] == [
        "opened", "statement", "decided", "move_out", "inspected", "settled", "closed"]


def test_the_statement_period_ends_and_then_the_decision_may_be_taken(dave):
    lease = active_lease()
    case = services.exit_open(lease=lease, ground="vacant", origin="caseworker", facts="连续空置 7 个月。", actor=dave)
    services.exit_notify(case=case, actor=dave)
    with at(case.statement_due + timedelta(days=1)):
        with pytest.raises(PortalError, match="陈述申辩期已于"):
            services.exit_state_case(case=case, actor=lease.tenant, text="迟到的申辩")
        services.exit_decide(case=case, actor=dave, opinion="期满未申辩")
    assert case.status == ExitStatus.MOVE_OUT


def test_the_tenants_own_exit_application_needs_no_statement(dave, alice):
    lease = active_lease()
    with pytest.raises(PortalError, match="未找到该租赁合同"):
        services.exit_apply(lease=lease, actor=alice, reason="搬走")
    case = services.exit_apply(lease=lease, actor=lease.tenant, reason="已购买商品住房")
    assert (case.ground, case.origin) == ("voluntary", "tenant")
    services.exit_decide(case=case, actor=dave)
    assert case.status == ExitStatus.MOVE_OUT


def test_a_street_clerk_cannot_take_an_exit_step(carol, dave):
    case = services.exit_open(lease=active_lease(), ground="illegal_use", origin="caseworker", facts="群租", actor=dave)
    with pytest.raises(PortalError):
        services.exit_notify(case=case, actor=carol)


def test_the_arrears_job_opens_one_case_per_flagged_lease():
    lease = active_lease()
    Lease.objects.filter(pk=lease.pk).update(arrears_flagged_at=timezone.now(), arrears_months=Decimal("6.00"),
                                             arrears_amount=Decimal("1800.00"))
    assert services.exits_for_arrears() == 1
    assert services.exits_for_arrears() == 0
    case = ExitCase.objects.get(lease=lease)
    assert (case.ground, case.origin) == ("arrears", "arrears")
    assert "累计欠缴租金 6.00 个月" in case.facts


def test_a_subsidy_exit_stops_the_grant_and_closes_without_inspection(dave):
    from subsidies.models import GrantStatus
    from tests.subsidies.builders import approved_subsidy

    grant = approved_subsidy()
    case = services.exit_open(grant=grant, ground="other_housing", origin="caseworker", facts="不动产登记新增住房一套",
                              actor=dave)
    services.exit_notify(case=case, actor=dave)
    services.exit_state_case(case=case, actor=grant.applicant, text="无异议")
    services.exit_decide(case=case, actor=dave, opinion="购买其他住房")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.STOPPED
    assert grant.stopped_from == services.next_month(timezone.localdate())
    services.exit_close(case=case, actor=dave)
    assert case.status == ExitStatus.CLOSED


def test_the_tenant_gives_the_refund_account_on_the_exit_page_and_sees_it_masked(client, dave, simulated_bank):
    from django.db import connection
    from django.urls import reverse

    lease = active_lease()
    case = services.exit_apply(lease=lease, actor=lease.tenant, reason="已购买商品住房")
    client.force_login(lease.tenant)
    url = reverse("tenancy:exit", args=[case.pk])
    assert "押金退款账户" in client.get(url).content.decode()
    bad = client.post(url, {"account_name": WANG_LI[0], "account_no": "6217００12"}).content.decode()
    assert "全角数字" in bad and "6217００12" in bad  # the typed number is kept to correct
    short = client.post(url, {"account_name": WANG_LI[0], "account_no": "1234"}).content.decode()
    assert "银行账号应为 16 至 19 位数字" in short
    assert client.post(url, {"account_name": WANG_LI[0], "account_no": WANG_LI[1]}).status_code == 302
    shown = client.get(url).content.decode()
    assert "**** **** **** 9003" in shown and WANG_LI[1] not in shown
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT refund_account_no FROM tenancy_exitcase WHERE id = %s", [case.pk])
        assert WANG_LI[1] not in cursor.fetchone()[0]

    services.exit_decide(case=case, actor=dave)
    services.exit_inspect(case=case, actor=dave, inspected_on=timezone.localdate(), condition="完好")
    services.exit_settle(case=case, actor=dave)
    shown = client.get(url).content.decode()
    assert "押金退还" in shown and "已退还" in shown and "保存退款账户" not in shown
    assert services.exit_refund(case).amount == lease.deposit
    # after the settlement the account can no longer be changed
    with pytest.raises(PortalError, match="押金已结算"):
        services.exit_refund_account(case=case, actor=lease.tenant, account_name="王丽", account_no=WANG_LI[1])


def test_someone_elses_exit_case_takes_no_account(alice):
    lease = active_lease()
    case = services.exit_apply(lease=lease, actor=lease.tenant, reason="搬走")
    with pytest.raises(PortalError, match="未找到该退出事项"):
        services.exit_refund_account(case=case, actor=alice, account_name="王丽", account_no=WANG_LI[1])
