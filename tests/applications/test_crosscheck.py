"""The cross-department check (部门联审): fan-out, batching, freshness, failures, retries, re-runs —
over real HTTP against the simulated exchange (`exchange` fixture)."""

import math
import re
import unittest.mock
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from applications import services
from applications.crosscheck.exchange import HttpDepartmentAdapter
from applications.crosscheck.runner import departments_for, run_checks
from applications.crosscheck.selectors import current_results, unknown_departments
from applications.crosscheck.services import check_rerun
from applications.crosscheck.tasks import (
    MAX_RETRIES,
    applications_to_sweep,
    cross_check_application,
    cross_check_sweep,
    retry_countdown,
)
from applications.models import Application, CheckResult, RuleEvaluation, Status
from applications.review import services as review
from gongzufang.errors import PortalError
from gongzufang.models import PolicyParameter
from tests.applications import builders
from tests.applications.conftest import LI_MING, WANG_LI
from tests.helpers import at_once

LI_XIAOHUA = ("李小花", "230602201503010083")
HUANG_JING_TAX_GARBAGE = ("黄静", "230602199107070025")
ZHENG_LEI_HIGH_INCOME = ("郑磊", "230603198503080075")
WANG_FAMILY = [("spouse", *LI_MING), ("child", *LI_XIAOHUA)]


def in_cross_check(app, clerk):
    """Through the real steps: accepted by the street clerk, approved at street level."""
    services.application_accept(application=app, actor=clerk)
    review.street_approve(application=Application.objects.get(pk=app.pk), actor=clerk)
    app = Application.objects.get(pk=app.pk)
    assert app.status == Status.CROSS_CHECK
    return app


def wang_family(clerk, **kwargs):
    user = builders.applicant(*WANG_LI)
    return in_cross_check(builders.submitted(user, members=WANG_FAMILY, **kwargs), clerk)


def single(clerk, name, id_number, **kwargs):
    return in_cross_check(builders.submitted(builders.applicant(name, id_number), **kwargs), clerk)


def fresh(app):
    return Application.objects.get(pk=app.pk)


def current(app):
    return CheckResult.objects.filter(application=app, is_current=True)


# --- fan-out -------------------------------------------------------------------------------------


def test_every_member_is_checked_with_every_department_the_category_needs(exchange, carol):
    app = wang_family(carol)
    depts = departments_for(app)
    summary = run_checks([app.pk], notify=False)

    rows = list(current(app).select_related("member"))
    assert len(rows) == 3 * len(depts)
    assert {(r.member.name, r.department) for r in rows} == {
        (name, d) for name in ("王丽", "李明", "李小花") for d in depts}
    assert {r.status for r in rows} == {"pass"}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row.reply_hash)
        assert row.queried_at is not None and row.facts
        assert row.reason == "" and row.reused_from_id is None
        assert row.id_number_hash == row.member.id_number_hash
    # One request per department: the household's three ID numbers go in one batch.
    assert summary.requests == len(depts) == exchange.requests


def test_the_stored_facts_are_the_departments_answers(exchange, carol):
    app = wang_family(carol)
    run_checks([app.pk], notify=False)
    tax = {r.member.name: r.facts for r in current(app).filter(department="tax").select_related("member")}
    assert tax["王丽"]["monthly_income_avg"] == "1600.00"
    assert tax["李明"]["annual_income"] == "25200.00"
    hukou = current(app).get(department="hukou", member__name="王丽")
    assert hukou.facts["hukou_district"] == "230602" and hukou.facts["residence_permit"] is False


def test_odd_characters_in_facts_are_stored_exactly(exchange, carol):
    address = '萨尔图区"东风"路 1 号,\n2 单元\\3'
    exchange.add("hukou", WANG_LI[1], {"name": "王丽", "hukou_district": "230602", "hukou_address": address,
                                       "status": "normal", "residence_permit": False})
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    assert current(app).get(department="hukou").facts["hukou_address"] == address


def test_the_category_decides_which_departments_are_asked(exchange, carol):
    graduate = single(carol, "林晓", "230602199903180022", category="new_graduate")
    low_income = wang_family(carol)
    assert "education" in departments_for(graduate) and "social_insurance" in departments_for(graduate)
    assert "education" not in departments_for(low_income)
    run_checks([graduate.pk, low_income.pk], notify=False)
    assert current(graduate).filter(department="education").exists()
    assert not current(low_income).filter(department="education").exists()


def test_an_application_with_every_answer_goes_on_to_district_review(exchange, carol):
    app = wang_family(carol)
    summary = run_checks([app.pk])
    assert fresh(app).status == Status.DISTRICT_REVIEW
    assert summary.moved_on == [app.pk]
    assert RuleEvaluation.objects.get(application=app, is_current=True).passed is True


def test_the_rules_see_what_the_departments_said(exchange, carol):
    app = single(carol, *ZHENG_LEI_HIGH_INCOME)  # declares 1500 a month; 税务 has 8000
    run_checks([app.pk])
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    income = next(r for r in evaluation.results if r["rule"] == "income")
    assert evaluation.passed is False and income["passed"] is False
    assert income["value"] == "8,000.00 元/人·月"


# --- batching ------------------------------------------------------------------------------------


def test_id_numbers_of_many_applications_share_batches(exchange, carol, monkeypatch):
    exchange.generate = True
    monkeypatch.setattr(HttpDepartmentAdapter, "batch_size", 4)
    apps = [builders.submitted(members=[("spouse", "配偶", builders.fresh_id_number(born="19900202"))])
            for _ in range(5)]
    apps = [in_cross_check(a, carol) for a in apps]
    summary = run_checks([a.pk for a in apps], notify=False)

    depts = departments_for(apps[0])
    per_department = math.ceil(10 / 4)  # 10 ID numbers, 4 to a batch
    assert dict(exchange.requests_by_department) == dict.fromkeys(depts, per_department)
    assert summary.requests == per_department * len(depts)
    assert CheckResult.objects.filter(application__in=apps, is_current=True, status="pass").count() == 10 * len(depts)


# --- freshness -----------------------------------------------------------------------------------


def test_a_person_answered_recently_is_not_asked_again(exchange, carol):
    first = single(carol, *WANG_LI)
    run_checks([first.pk], notify=False)
    services.application_withdraw(application=first, actor=first.applicant, reason="重新申请")
    asked = exchange.requests

    second = in_cross_check(builders.submitted(first.applicant), carol)
    summary = run_checks([second.pk], notify=False)

    assert exchange.requests == asked  # nothing sent
    assert summary.reused == len(departments_for(second)) and summary.requests == 0
    for row in current(second):
        source = CheckResult.objects.get(application=first, department=row.department)
        assert row.reused_from_id == source.pk
        assert (row.status, row.facts, row.reply_hash, row.queried_at) == (
            source.status, source.facts, source.reply_hash, source.queried_at)


def test_a_fresh_answer_of_another_application_in_the_same_run_is_reused(exchange, carol):
    # The first application's answers are current and fresh in the run itself (runner._fresh_answers
    # takes them from the rows it read, not from the person index)
    first = single(carol, *WANG_LI)
    run_checks([first.pk], notify=False)
    services.application_withdraw(application=first, actor=first.applicant, reason="重新申请")
    second = in_cross_check(builders.submitted(first.applicant), carol)
    asked = exchange.requests

    summary = run_checks([first.pk, second.pk], notify=False)

    depts = len(departments_for(second))
    assert (summary.kept, summary.reused, summary.requests, exchange.requests) == (depts, depts, 0, asked)
    assert all(row.reused_from.application_id == first.pk for row in current(second).select_related("reused_from"))


def test_an_earlier_answer_in_the_window_is_reused_when_the_current_one_is_unknown(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    passed = current(app).get(department="hukou")
    # the exchange then failed on a re-check: the current answer is unknown, the earlier pass still fresh
    CheckResult.objects.filter(pk=passed.pk).update(is_current=False)
    CheckResult.objects.create(application=app, member_id=passed.member_id, department="hukou",
                               id_number_hash=passed.id_number_hash, status="unknown", reason="交换平台超时（2 秒）",
                               queried_at=timezone.now())
    exchange.requests_by_department.clear()

    summary = run_checks([app.pk], notify=False)

    assert "hukou" not in exchange.requests_by_department and summary.reused == 1
    row = current(app).get(department="hukou")
    assert (row.status, row.reused_from_id, row.facts) == ("pass", passed.pk, passed.facts)


def test_force_asks_again_whatever_the_window(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    asked = exchange.requests
    summary = run_checks([app.pk], force=True, notify=False)
    assert exchange.requests == asked + len(departments_for(app)) == asked + summary.requests
    assert current(app).filter(reused_from__isnull=False).count() == 0
    assert CheckResult.objects.filter(application=app, is_current=False).count() == len(departments_for(app))


def test_a_second_run_over_fresh_answers_sends_and_writes_nothing(exchange, carol):
    app = wang_family(carol)
    run_checks([app.pk], notify=False)
    rows = CheckResult.objects.filter(application=app).count()
    summary = run_checks([app.pk], notify=False)
    assert summary.requests == 0 and summary.kept == summary.pairs
    assert CheckResult.objects.filter(application=app).count() == rows


def test_an_answer_older_than_the_window_is_asked_again(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    CheckResult.objects.filter(application=app).update(queried_at=timezone.now() - timedelta(days=31))
    asked = exchange.requests
    run_checks([app.pk], notify=False)
    assert exchange.requests == asked + len(departments_for(app))


def test_the_same_answer_a_month_later_is_the_same_row_still_true_on_the_new_date(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    before = {r.department: r for r in current(app)}
    month_ago = timezone.now() - timedelta(days=31)
    CheckResult.objects.filter(application=app).update(queried_at=month_ago)
    asked = exchange.requests

    summary = run_checks([app.pk], notify=False)

    assert exchange.requests == asked + len(before)  # every department asked again
    assert summary.confirmed == len(before) and summary.queried == len(before)
    assert CheckResult.objects.filter(application=app).count() == len(before)  # no row added, none retired
    for row in current(app):
        old = before[row.department]
        assert row.pk == old.pk and (row.status, row.facts) == (old.status, old.facts)
        assert row.queried_at > month_ago + timedelta(days=30)  # the date the department said it again
        assert row.first_queried_at == month_ago  # and when it first said so


def test_a_changed_answer_is_a_new_row_and_the_old_one_is_kept(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    old = current(app).get(department="vehicles")
    CheckResult.objects.filter(application=app).update(queried_at=timezone.now() - timedelta(days=31))
    exchange.add("vehicles", WANG_LI[1], {"vehicles": [{"plate": "黑E54321", "kind": "小型轿车", "value": "90000.00"}]})

    summary = run_checks([app.pk], notify=False)

    assert summary.confirmed == len(departments_for(app)) - 1
    new = current(app).get(department="vehicles")
    assert new.pk != old.pk and new.facts["vehicle_count"] == 1 and new.first_queried_at is None
    old.refresh_from_db()
    assert not old.is_current and old.facts["vehicle_count"] == 0


def test_every_answer_is_stored_with_its_digest_and_a_change_of_fact_status_or_reason_changes_it(exchange, carol):
    from applications.crosscheck.exchange import adapter_for
    from applications.crosscheck.runner import answer_digest

    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    for row in current(app):  # the digest of the answer as the department gave it (jsonb reorders keys)
        said = adapter_for(row.department).query([WANG_LI[1]])[WANG_LI[1]]
        assert row.answer_digest == answer_digest(str(said.status), said.facts, said.reason)
    facts = {"vehicle_count": 0, "plates": []}
    assert answer_digest("pass", facts, "") == answer_digest("pass", dict(facts), "")
    assert len({answer_digest("pass", facts, ""), answer_digest("fail", facts, ""),
                answer_digest("pass", facts, "无记录"), answer_digest("pass", dict(facts, vehicle_count=1), "")}) == 4


def test_rows_stored_before_the_digest_are_compared_by_their_facts(exchange, carol):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    before = {r.department: r.pk for r in current(app)}
    CheckResult.objects.filter(application=app).update(answer_digest="", queried_at=timezone.now() - timedelta(days=31))
    exchange.add("vehicles", WANG_LI[1], {"vehicles": [{"plate": "黑E54321", "kind": "小型轿车", "value": "90000.00"}]})

    summary = run_checks([app.pk], notify=False)

    assert summary.confirmed == len(before) - 1  # the unchanged ones, by their facts
    rows = {r.department: r for r in current(app)}
    assert all(rows[d].pk == pk for d, pk in before.items() if d != "vehicles")
    assert rows["vehicles"].pk != before["vehicles"] and rows["vehicles"].facts["vehicle_count"] == 1
    assert rows["vehicles"].answer_digest  # the new row has its digest


def test_facts_are_unchanged_only_when_they_read_back_the_same():
    from datetime import date
    from decimal import Decimal

    from applications.crosscheck.runner import _same_facts

    stored = {"vehicle_count": 1, "vehicle_value_total": "90000.00", "since": "2026-01-01", "plates": ["黑E1"]}
    assert _same_facts(stored, {"plates": ("黑E1",), "since": date(2026, 1, 1), "vehicle_count": 1,
                                "vehicle_value_total": Decimal("90000.00")})
    assert not _same_facts(stored, dict(stored, vehicle_count=2))
    assert not _same_facts(stored, dict(stored, vehicle_value_total=Decimal("90000.01")))
    assert not _same_facts(stored, {k: v for k, v in stored.items() if k != "since"})


def test_the_window_is_a_parameter(exchange, carol):
    from datetime import date

    PolicyParameter.objects.create(key="crosscheck.freshness_days", value="0", effective_from=date(2001, 1, 1),
                                   legal_source="测试")
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    asked = exchange.requests
    run_checks([app.pk], notify=False)
    assert exchange.requests == 2 * asked


def test_an_unknown_answer_is_never_reused(exchange, carol):
    app = single(carol, *HUANG_JING_TAX_GARBAGE)
    run_checks([app.pk], notify=False)
    assert current(app).get(department="tax").status == "unknown"
    exchange.requests_by_department.clear()
    run_checks([app.pk], notify=False)
    assert dict(exchange.requests_by_department) == {"tax": 1}  # only the unknown one is asked again


# --- failures: unknown, never pass ---------------------------------------------------------------


def test_a_slow_reply_within_the_timeout_is_an_answer(exchange, carol):
    app = single(carol, *WANG_LI)
    exchange.latency_ms = 300  # the timeout is 2 s
    run_checks([app.pk])
    assert set(current(app).values_list("status", flat=True)) == {"pass"}
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_a_reply_slower_than_the_timeout_is_unknown_and_the_application_waits(exchange, carol, settings):
    app = single(carol, *WANG_LI)
    settings.EXCHANGE_TIMEOUT_SECONDS = 0.3
    exchange.latency_ms = 1500
    summary = run_checks([app.pk])
    rows = list(current(app))
    assert {r.status for r in rows} == {"unknown"}
    assert all("超时" in r.reason for r in rows)
    assert summary.transient == len(rows)
    assert fresh(app).status == Status.CROSS_CHECK


def test_an_http_error_is_unknown(exchange, carol):
    app = single(carol, *WANG_LI)
    exchange.failure_rate = 1.0
    run_checks([app.pk])
    assert {r.reason for r in current(app)} == {"交换平台返回 HTTP 503"}
    assert {r.status for r in current(app)} == {"unknown"}
    assert fresh(app).status == Status.CROSS_CHECK


def test_garbage_from_one_department_leaves_only_that_check_unknown(exchange, carol):
    app = single(carol, *HUANG_JING_TAX_GARBAGE)
    run_checks([app.pk])
    tax = current(app).get(department="tax")
    assert tax.status == "unknown" and "格式错误" in tax.reason and tax.reply_hash
    assert set(current(app).exclude(department="tax").values_list("status", flat=True)) == {"pass"}
    assert unknown_departments(app) == ["tax"]
    app = fresh(app)
    assert app.status == Status.CROSS_CHECK  # waits: never approved on an unknown
    with pytest.raises(PortalError):
        review.district_approve(application=app, actor=None)


def test_no_record_is_unknown_and_not_counted_as_an_outage(exchange, carol):
    nobody = builders.fresh_id_number(born="19800101")
    app = single(carol, "查无此人", nobody)
    summary = run_checks([app.pk])
    assert {r.reason for r in current(app)} == {"部门无此人记录"}
    assert summary.transient == 0 and summary.unknown_applications == {app.pk}
    assert fresh(app).status == Status.CROSS_CHECK


# --- the task: retries with back-off -------------------------------------------------------------


def test_the_back_off_doubles():
    waits = [retry_countdown(n) for n in range(4)]
    for n, wait in enumerate(waits):
        assert 60 * 2 ** n <= wait <= 75 * 2 ** n


class Worker:
    """Runs a task as a Celery worker does, attempt after attempt, and records the back-off each
    retry asks for instead of sleeping it (tests run tasks in-process, where nothing waits)."""

    def __init__(self, task, monkeypatch):
        self.task = task
        self.countdowns = []

        def retry(countdown=None, **_options):
            self.countdowns.append(countdown)
            return Retry(when=countdown)

        monkeypatch.setattr(task, "retry", retry)

    def run(self, *args):
        retries = 0
        while True:
            self.task.push_request(retries=retries, is_eager=False)
            try:
                return self.task.run(*args)
            except Retry:
                retries += 1
            finally:
                self.task.pop_request()


def test_the_task_retries_with_back_off_until_the_exchange_answers(exchange, carol, monkeypatch):
    app = wang_family(carol)
    depts = len(departments_for(app))
    exchange.fail_next = 2 * depts  # the first two attempts get HTTP 503 everywhere, then it clears

    worker = Worker(cross_check_application, monkeypatch)
    worker.run(app.pk)

    assert len(worker.countdowns) == 2 and worker.countdowns[0] < worker.countdowns[1]
    assert exchange.requests == 3 * depts
    assert set(current(app).values_list("status", flat=True)) == {"pass"}
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_after_the_last_retry_the_unknowns_stay_and_the_application_waits(exchange, carol, monkeypatch):
    app = single(carol, *WANG_LI)
    exchange.failure_rate = 1.0
    worker = Worker(cross_check_application, monkeypatch)
    result = worker.run(app.pk)
    assert len(worker.countdowns) == MAX_RETRIES
    assert exchange.requests == (1 + MAX_RETRIES) * len(departments_for(app))
    assert result["transient"] == len(departments_for(app))
    assert set(current(app).values_list("status", flat=True)) == {"unknown"}
    assert fresh(app).status == Status.CROSS_CHECK


def test_run_in_process_the_task_does_not_wait_to_retry(exchange, carol):
    app = single(carol, *WANG_LI)
    exchange.failure_rate = 1.0
    cross_check_application.delay(app.pk)  # eager, as in development without a worker
    assert exchange.requests == len(departments_for(app))
    assert fresh(app).status == Status.CROSS_CHECK


def test_no_record_is_not_retried(exchange, carol, monkeypatch):
    app = single(carol, "查无此人", builders.fresh_id_number(born="19800101"))
    worker = Worker(cross_check_application, monkeypatch)
    worker.run(app.pk)
    assert worker.countdowns == []
    assert exchange.requests == len(departments_for(app))


def test_the_task_leaves_an_application_that_moved_on_alone(exchange, carol):
    app = builders.submitted(builders.applicant(*WANG_LI))
    assert cross_check_application.delay(app.pk).get() == {"skipped": "submitted"}
    assert exchange.requests == 0


def test_the_sweep_asks_again_for_answers_unknown_for_over_an_hour(exchange, carol):
    waiting = single(carol, *HUANG_JING_TAX_GARBAGE)
    run_checks([waiting.pk])
    just_now = single(carol, "查无此人", builders.fresh_id_number(born="19800101"))
    run_checks([just_now.pk])
    CheckResult.objects.filter(application=waiting).update(queried_at=timezone.now() - timedelta(hours=2))
    assert applications_to_sweep() == [waiting.pk]

    record = dict(exchange.records["tax"][HUANG_JING_TAX_GARBAGE[1]])
    record.pop("simulate")
    exchange.add("tax", HUANG_JING_TAX_GARBAGE[1], record)  # the tax office's fault is fixed
    totals = cross_check_sweep()

    assert totals == {"applications": 1, "moved_on": 1, "still_unknown": 0}
    assert fresh(waiting).status == Status.DISTRICT_REVIEW


def test_the_sweep_picks_up_an_application_never_checked(exchange, carol):
    app = single(carol, *WANG_LI)
    assert applications_to_sweep() == []  # it has just arrived; its task is on the way
    Application.objects.filter(pk=app.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert applications_to_sweep() == [app.pk]
    cross_check_sweep()
    assert fresh(app).status == Status.DISTRICT_REVIEW


# --- a caseworker re-runs one department ---------------------------------------------------------


def test_a_caseworker_reruns_the_department_that_failed(exchange, carol, dave):
    app = single(carol, *HUANG_JING_TAX_GARBAGE)
    run_checks([app.pk])
    others = set(current(app).exclude(department="tax").values_list("pk", flat=True))
    record = dict(exchange.records["tax"][HUANG_JING_TAX_GARBAGE[1]])
    record.pop("simulate")
    exchange.add("tax", HUANG_JING_TAX_GARBAGE[1], record)
    exchange.requests_by_department.clear()

    check_rerun(application=app, department="tax", actor=dave)

    assert dict(exchange.requests_by_department) == {"tax": 1}
    assert current(app).get(department="tax").status == "pass"
    assert set(current(app).exclude(department="tax").values_list("pk", flat=True)) == others
    assert CheckResult.objects.filter(application=app, department="tax", is_current=False, status="unknown").exists()
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_a_rerun_ignores_the_freshness_window(exchange, carol, dave):
    app = single(carol, *WANG_LI)
    run_checks([app.pk], notify=False)
    exchange.requests_by_department.clear()
    check_rerun(application=app, department="property", actor=dave)
    assert dict(exchange.requests_by_department) == {"property": 1}


def test_a_rerun_in_district_review_applies_the_rules_to_the_new_answer(exchange, carol, dave):
    app = single(carol, *WANG_LI)
    run_checks([app.pk])
    assert fresh(app).status == Status.DISTRICT_REVIEW
    assert RuleEvaluation.objects.get(application=app, is_current=True).passed is True
    exchange.add("property", WANG_LI[1], {"properties": [{"address": "萨尔图区某小区 1-1-101", "area": "90"}],
                                          "sales": []})
    check_rerun(application=app, department="property", actor=dave)
    evaluation = RuleEvaluation.objects.get(application=app, is_current=True)
    assert evaluation.passed is False
    assert next(r for r in evaluation.results if r["rule"] == "no_property")["passed"] is False


def test_a_rerun_outside_ones_district_is_not_found(exchange, carol, bob):
    app = single(carol, *WANG_LI)
    with pytest.raises(PortalError) as err:
        check_rerun(application=app, department="tax", actor=bob)
    assert err.value.code == "not_found" and err.value.message == "未找到该申请。"
    assert exchange.requests == 0


def test_a_rerun_is_refused_before_the_cross_check(exchange, dave):
    app = builders.submitted(builders.applicant(*WANG_LI))
    with pytest.raises(PortalError) as err:
        check_rerun(application=app, department="tax", actor=dave)
    assert "只有部门联审或区县审核环节可以重新核验" in err.value.message
    assert exchange.requests == 0


def test_a_rerun_of_a_department_that_does_not_exist_is_refused(exchange, carol, dave):
    app = single(carol, *WANG_LI)
    with pytest.raises(PortalError) as err:
        check_rerun(application=app, department="weather", actor=dave)
    assert err.value.message == "没有这个核验部门。"


# --- what leaves the portal ----------------------------------------------------------------------


def test_only_id_numbers_leave_the_portal(exchange, carol):
    exchange.record_bodies = True
    app = wang_family(carol)
    run_checks([app.pk], notify=False)
    numbers = {WANG_LI[1], LI_MING[1], LI_XIAOHUA[1]}
    assert len(exchange.received) == len(departments_for(app))
    for _department, payload in exchange.received:
        assert set(payload) == {"id_numbers"}
        assert set(payload["id_numbers"]) == numbers


# --- selectors -----------------------------------------------------------------------------------


def test_current_results_are_grouped_per_department_and_member(exchange, carol):
    app = single(carol, *HUANG_JING_TAX_GARBAGE, members=[("spouse", *LI_MING)])
    run_checks([app.pk], notify=False)
    groups = current_results(app)
    assert [g.code for g in groups] == departments_for(app)  # the registry's order
    tax = next(g for g in groups if g.code == "tax")
    assert tax.name == "税务" and tax.status == "unknown" and tax.status_label == "无法核验"
    assert [r.member.name for r in tax.results] == ["黄静", "李明"]
    assert {g.status for g in groups if g.code != "tax"} == {"pass"}


def test_a_deceased_member_fails_the_departments_that_know(exchange, carol):
    app = single(carol, *WANG_LI, members=[("parent", "周德", "230602196001010071")])
    run_checks([app.pk], notify=False)
    groups = {g.code: g for g in current_results(app)}
    assert groups["death"].status == "fail" and groups["hukou"].status == "fail"
    assert current(app).get(department="death", member__name="周德").facts["died_on"] == "2025-03-02"


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_one_current_answer_each(exchange, carol, on_postgres):
    app = builders.submitted(builders.applicant(*WANG_LI))
    services.application_accept(application=app, actor=carol)
    with unittest.mock.patch("applications.review.services._enqueue_cross_check"):  # the runs below are the test's
        review.street_approve(application=fresh(app), actor=carol)
    exchange.latency_ms = 100  # both runs are on the wire at the same time
    outcomes = at_once(lambda: run_checks([app.pk], force=True, notify=False),
                       lambda: run_checks([app.pk], force=True, notify=False))
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    depts = departments_for(app)
    assert current(app).count() == len(depts)
    assert CheckResult.objects.filter(application=app).count() == 2 * len(depts)


@pytest.mark.django_db(transaction=True)
def test_street_approval_starts_the_check_once_committed(exchange, carol):
    app = builders.submitted(builders.applicant(*WANG_LI))
    services.application_accept(application=app, actor=carol)
    review.street_approve(application=fresh(app), actor=carol)
    assert exchange.requests == len(departments_for(app))
    assert fresh(app).status == Status.DISTRICT_REVIEW


def test_a_long_run_shortens_the_gil_switch_interval_and_restores_it_even_on_error():
    import sys

    from applications.crosscheck.runner import PROMPT_SWITCH_INTERVAL, prompt_requests

    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), prompt_requests():
        assert sys.getswitchinterval() == pytest.approx(min(before, PROMPT_SWITCH_INTERVAL))
        raise RuntimeError
    assert sys.getswitchinterval() == before
