"""再次申请 after an exit (DESIGN §9): a household that exited with a re-application ban is not stopped by
its old, approved application (it no longer claims its members once the exit is closed); the same
person applies again through the real steps and is told, in Chinese, that the ban rule fails, with
its ground and end date. A household that exited without a ban may apply and is not refused for it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.crosscheck.runner import run_checks
from applications.models import Application, MemberClaim, RuleEvaluation, Status
from applications.review import services as review
from gongzufang.errors import PortalError
from tenancy import services
from tenancy.models import ReapplicationBan
from tests.applications import builders
from tests.rent.builders import active_lease

pytestmark = pytest.mark.django_db

WANG_LI = ("王丽", "621700123456789003")  # an account the simulated bank knows


def closed_exit(lease, caseworker, *, ground):
    """The exit walked through every step, as in test_exits.py: told, heard, decided, inspected, settled
    (the deposit refunded through the simulated bank), closed."""
    if ground == "voluntary":  # the tenant's own 退租申请: no statement period
        case = services.exit_apply(lease=lease, actor=lease.tenant, reason="已购买商品住房")
    else:
        case = services.exit_open(lease=lease, ground=ground, origin="caseworker", facts="经现场核查属实。",
                                  actor=caseworker)
        services.exit_notify(case=case, actor=caseworker)
        services.exit_state_case(case=case, actor=lease.tenant, text="无异议。")
    services.exit_decide(case=case, actor=caseworker, opinion="属实")
    services.exit_inspect(case=case, actor=caseworker, inspected_on=timezone.localdate(), condition="完好",
                          water_meter="20.5", electricity_meter="420.0")
    services.exit_refund_account(case=case, actor=lease.tenant, account_name=WANG_LI[0], account_no=WANG_LI[1])
    services.exit_settle(case=case, actor=caseworker)
    services.exit_close(case=case, actor=caseworker)
    return case


def apply_again(tenant, clerk):
    """The former tenant starts, fills in and submits a new application; the street accepts and approves it
    and the cross-department check runs (its answers hand the application over with the rules applied)."""
    app = builders.submitted(tenant)  # application_start, the wizard's member_save, application_submit
    application_services.application_accept(application=app, actor=clerk)
    review.street_approve(application=Application.objects.get(pk=app.pk), actor=clerk)
    run_checks([app.pk])
    return Application.objects.get(pk=app.pk)


def test_a_tenant_who_exited_for_subletting_applies_again_and_is_told_the_ban_and_its_end(
        client, carol, dave, exchange, simulated_bank):
    exchange.generate = True  # every department answers about everyone
    lease = active_lease()
    tenant = lease.tenant
    old = lease.offer.round_entry.entry.application
    assert MemberClaim.objects.filter(application=old).exists()  # an approved application claims its members

    case = closed_exit(lease, dave, ground="sublet")

    ban = ReapplicationBan.objects.get(case=case, id_number_hash=old.household.members.get(relationship="self")
                                       .id_number_hash)

    app = apply_again(tenant, carol)  # refused before: "您已有一份正在办理的申请"

    assert app.status == Status.DISTRICT_REVIEW
    old.refresh_from_db()
    assert old.status == Status.APPROVED and old.assistance_ended_at is not None  # the decision stays
    assert not MemberClaim.objects.filter(application=old).exists()
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    result = next(r for r in evaluation.results if r["rule"] == "no_reapplication_ban")
    sentence = f"家庭成员曾因“转租转借”退出保障，{ban.ends_on:%Y年%m月%d日}前不得再次申请"
    assert result["passed"] is False and sentence in result["reason"] and evaluation.passed is False
    # … and the applicant reads it on the progress page, in Chinese, with the ground and the end date
    client.force_login(tenant)
    page = client.get(reverse("applications:progress", args=[app.pk])).content.decode()
    assert sentence in page
    assert "无再申请限制（退出后限制期）" in page


def test_a_voluntary_exit_has_no_ban_and_the_household_may_apply_again(carol, dave, exchange, simulated_bank):
    exchange.generate = True
    lease = active_lease()
    closed_exit(lease, dave, ground="voluntary")  # exit.reapply_bar_years.voluntary = 0
    assert not ReapplicationBan.objects.exists()

    app = apply_again(lease.tenant, carol)

    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    result = next(r for r in evaluation.results if r["rule"] == "no_reapplication_ban")
    assert result["passed"] is True


def test_while_the_lease_lasts_the_tenant_cannot_start_a_second_application(dave):
    lease = active_lease()
    with pytest.raises(PortalError, match="您已有一份正在办理的申请"):
        application_services.application_start(applicant=lease.tenant)
