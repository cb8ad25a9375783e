"""资格年审 (DESIGN §9): opened 30 days before each lease's and grant's anniversary, once per household
and year; declared online (无变化 with consent); checks re-run; decided; reminders and lapses."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzufang.errors import PortalError
from notifications.models import SmsOutbox
from tenancy import services
from tenancy.models import AnnualReview, ExitCase, ReviewOutcome, ReviewStatus
from tests.helpers import at
from tests.tenancy.builders import grant_with_anniversary_in, lease_with_anniversary_in

pytestmark = pytest.mark.django_db


def test_reviews_open_30_days_before_the_anniversary_once_per_household_and_year():
    inside = lease_with_anniversary_in(20)
    outside = lease_with_anniversary_in(45)
    grant = grant_with_anniversary_in(30)
    out = StringIO()
    call_command("open_annual_reviews", stdout=out)
    assert "新开启年审 2 件" in out.getvalue()
    reviews = AnnualReview.objects.all()
    assert {(r.lease_id, r.grant_id) for r in reviews} == {(inside.pk, None), (None, grant.pk)}
    review = reviews.get(lease=inside)
    assert review.status == ReviewStatus.OPENED
    assert review.anniversary == timezone.localdate() + timedelta(days=20)
    assert review.due_on == review.anniversary
    assert review.status_changes.get().to_status == "opened"
    # the household is told by site message and SMS
    assert review.holder.site_messages.filter(title="资格年审开启").count() == 1
    assert SmsOutbox.objects.filter(phone=inside.tenant.phone, text__contains="资格年审已开启").count() == 1

    again = StringIO()
    call_command("open_annual_reviews", stdout=again)
    assert "新开启年审 0 件" in again.getvalue()
    assert AnnualReview.objects.count() == 2
    assert review.holder.site_messages.filter(title="资格年审开启").count() == 1  # dedup
    assert not AnnualReview.objects.filter(lease=outside).exists()

    later = StringIO()
    call_command("open_annual_reviews", "--date", (timezone.localdate() + timedelta(days=20)).isoformat(),
                 stdout=later)
    assert AnnualReview.objects.filter(lease=outside).count() == 1


def test_a_bad_date_is_refused_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("open_annual_reviews", "--date", "2026-13-01")


def _review(days=20):
    lease = lease_with_anniversary_in(days)
    services.open_annual_reviews(notify=False)
    return AnnualReview.objects.get(lease=lease)


def test_no_change_with_consent_in_one_step_reruns_the_checks(exchange, django_capture_on_commit_callbacks):
    review = _review()
    with pytest.raises(PortalError, match="请勾选同意授权"):
        services.review_declare(review=review, actor=review.holder, no_change=True, consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_declare(review=review, actor=review.holder, no_change=True, consent=True)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHECKING
    assert review.no_change and review.consent_at is not None
    assert review.checked_at is not None  # the task ran on commit (eager in tests)
    assert exchange.requests > 0
    assert review.evaluation is not None


def test_changes_must_say_what_changed():
    review = _review()
    with pytest.raises(PortalError, match="请填写发生变化的事项"):
        services.review_declare(review=review, actor=review.holder, no_change=False, consent=True, changes={},
                                run_checks_now=False)
    services.review_declare(review=review, actor=review.holder, no_change=False, consent=True,
                            changes={"vehicles": "新购小型轿车一辆"}, run_checks_now=False)
    review.refresh_from_db()
    assert review.declaration == {"vehicles": "新购小型轿车一辆"}


def test_another_person_cannot_declare(bob):
    review = _review()
    from tests.applications.builders import applicant

    stranger = applicant(name="路人")
    with pytest.raises(PortalError):
        services.review_declare(review=review, actor=stranger, no_change=True, consent=True, run_checks_now=False)


def test_decide_continue_and_the_household_is_told(dave):
    review = _review()
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=review, actor=dave, outcome=ReviewOutcome.CONTINUE)
    review.refresh_from_db()
    assert (review.status, review.outcome) == (ReviewStatus.DECIDED, "continue")
    assert review.holder.site_messages.filter(title="资格年审结论", body__contains="继续保障").exists()


def test_decide_exit_opens_an_exit_case_with_the_ground(dave):
    review = _review()
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=review, actor=dave, outcome=ReviewOutcome.EXIT, note="家庭人均收入超过标准",
                           ground="failed_recertification")
    case = ExitCase.objects.get(review=review)
    assert (case.lease_id, case.ground, case.origin, case.status) == (review.lease_id, "failed_recertification",
                                                                       "review", "opened")


def test_adjusting_a_lease_records_the_coefficient_from_next_month(dave):
    review = _review()
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    with pytest.raises(PortalError, match="租金系数"):
        services.review_decide(review=review, actor=dave, outcome="adjust", note="收入下降", coefficient="1.5")
    services.review_decide(review=review, actor=dave, outcome="adjust", note="收入下降", coefficient="0.50")
    review.refresh_from_db()
    assert review.adjustment["coefficient"] == "0.50"
    assert review.adjustment["from"] == services.next_month(timezone.localdate()).isoformat()
    # rent bills the new rent from the first of next month (rent's lease_rent_change)
    lease = review.lease
    change = lease.rent_changes.get()
    expected = (Decimal(lease.area) * Decimal(lease.rent_per_sqm) * Decimal("0.50")).quantize(Decimal("0.01"))
    assert (change.kind, change.effective_from, change.new_monthly_rent) == (
        "adjust", services.next_month(timezone.localdate()), expected)
    assert review.adjustment["monthly_rent"] == str(expected)
    assert lease.tenant.site_messages.filter(title="租金调整通知", body__contains=str(expected)).exists()


def test_continue_renews_a_lease_that_ends_before_the_next_review(dave):
    from rent.models import Lease

    review = _review()
    lease = review.lease
    ends = review.anniversary + timedelta(days=100)  # before next year's review opens
    Lease.objects.filter(pk=lease.pk).update(end_on=ends)
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=AnnualReview.objects.get(pk=review.pk), actor=dave, outcome="continue")
    lease.refresh_from_db()
    renewal = lease.renewals.get()
    assert renewal.old_end_on == ends and lease.end_on == renewal.new_end_on > ends
    review.refresh_from_db()
    assert review.adjustment == {"kind": "renewal", "end_on": lease.end_on.isoformat()}
    assert lease.status_changes.filter(opinion__contains="续租").exists()


def test_continue_leaves_a_lease_running_past_the_next_review_as_it_is(dave):
    review = _review()
    ends = review.lease.end_on
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=review, actor=dave, outcome="continue")
    review.lease.refresh_from_db()
    assert review.lease.end_on == ends and not review.lease.renewals.exists()


def test_a_street_clerk_cannot_decide(carol):
    review = _review()
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    with pytest.raises(PortalError):
        services.review_decide(review=review, actor=carol, outcome="continue")


def test_reminder_7_days_before_then_lapse_suspends_the_subsidy_and_proposes_exit_for_a_lease():
    from subsidies.models import GrantStatus

    lease = lease_with_anniversary_in(5)
    grant = grant_with_anniversary_in(5)
    services.open_annual_reviews(notify=False)
    assert services.review_reminders() == 2
    assert services.review_reminders() == 0  # once
    late = timezone.localdate() + timedelta(days=6)
    assert services.reviews_lapse(today=late) == 2
    lease_review = AnnualReview.objects.get(lease=lease)
    assert lease_review.status == ReviewStatus.OVERDUE
    case = ExitCase.objects.get(lease=lease)
    assert (case.origin, case.ground, case.status) == ("overdue_review", "failed_recertification", "opened")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUSPENDED
    assert grant.suspended_from == services.next_month(late)
    assert services.reviews_lapse(today=late) == 0


def test_the_caseworker_sees_what_changed_since_the_last_decision(exchange, django_capture_on_commit_callbacks):
    from applications.crosscheck.runner import run_checks
    from tests.tenancy.builders import members_of
    from tests.tenancy.test_monitoring import baseline

    review = _review(days=25)
    member = members_of(review.application_id)[0]
    baseline(exchange, member)
    run_checks([review.application_id], notify=False)  # the answers at the last decision
    exchange.add("vehicles", member.id_number, {"vehicles": [{"plate": "黑E88888", "kind": "小型轿车",
                                                              "value": "90000.00"}]})
    with at(timezone.localdate() + timedelta(days=40)), django_capture_on_commit_callbacks(execute=True):
        services.review_declare(review=review, actor=review.holder, no_change=True, consent=True)
    review.refresh_from_db()
    vehicles = [c for c in review.changes if "公安车辆管理部门" in c["what"]]
    assert len(vehicles) == 1
    assert member.name in vehicles[0]["what"]
    assert "90,000.00" in vehicles[0]["after"] or "90000.00" in vehicles[0]["after"]


def test_adjusting_a_subsidy_recomputes_it_from_the_next_month_not_paid(dave):
    from tests.tenancy.builders import sample_review

    review = sample_review("230602")
    services.review_declare(review=review, actor=review.holder, no_change=True, consent=True, run_checks_now=False)
    services.review_decide(review=review, actor=dave, outcome="adjust", note="家庭人口减少")
    review.refresh_from_db()
    assert review.adjustment["kind"] == "subsidy"
    assert review.adjustment["from"] >= services.first_of_month(timezone.localdate()).isoformat()
    assert review.grant.computations.filter(effective_from=review.adjustment["from"]).exists()


def test_a_lapsed_subsidy_review_answered_late_pays_again_from_next_month_without_back_pay(dave):
    from subsidies.models import GrantStatus

    grant = grant_with_anniversary_in(5)
    services.open_annual_reviews(notify=False)
    late = timezone.localdate() + timedelta(days=6)
    services.reviews_lapse(today=late)
    grant.refresh_from_db()
    suspended_from = grant.suspended_from
    assert grant.status == GrantStatus.SUSPENDED and suspended_from == services.next_month(late)
    review = AnnualReview.objects.get(grant=grant)
    later = services.add_months(suspended_from, 1) + timedelta(days=3)  # a month unpaid meanwhile
    with at(later):
        services.review_declare(review=review, actor=review.holder, no_change=True, consent=True,
                                run_checks_now=False)
        services.review_decide(review=AnnualReview.objects.get(pk=review.pk), actor=dave, outcome="continue")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and grant.payable_from == services.next_month(later)
    assert not grant.payable_in(suspended_from)  # the month it was suspended is not back-paid
    assert not grant.payable_in(services.first_of_month(later))
    assert grant.payable_in(services.next_month(later))
