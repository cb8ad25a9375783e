"""Walk applications through the review with the real services (the cross-department check is
replaced by stored results, so the workflow can be tested without the exchange)."""

from django.utils import timezone

from applications import services
from applications.models import Application, CheckResult, Status
from applications.review import services as review

# One benign record per department (docs/departments.md): passes every rule of every category.
BENIGN_FACTS = {
    "hukou": {"name": "", "hukou_district": "230602", "hukou_address": "大庆市萨尔图区", "status": "normal",
              "status_label": "正常", "residence_permit": False},
    "vehicles": {"vehicle_count": 0, "vehicle_value_total": "0.00", "vehicles": []},
    "property": {"property_count": 0, "property_area_total": "0.00", "properties": [], "sales": []},
    "civil_affairs": {"minimum_living": False, "extreme_poverty": False, "since": None},
    "social_insurance": {"insured": True, "months_contributed": 36, "employer": "大庆某公司",
                         "labour_contract_months": 36},
    "housing_fund": {"account_status": "normal", "monthly_deposit": "200.00", "has_housing_loan": False},
    "business": {"business_count": 0, "registered_capital_total": "0.00", "businesses": []},
    "tax": {"year": 2025, "annual_income": "12000.00", "monthly_income_avg": "1000.00"},
    "disability": {"disabled": False, "grade": None, "kind": ""},
    "death": {"deceased": False, "died_on": None},
    "marriage": {"marital_status": "married", "registered_on": None},
    "education": {"highest_degree": "本科", "school": "东北石油大学", "graduated_on": "2024-07-01"},
}


def store_results(app, *, overrides=None, status_overrides=None):
    """Current CheckResult rows for every member and department, as the cross-check runner stores
    them. `overrides`: {department: {fact: value}}; `status_overrides`: {department: status}."""
    overrides, status_overrides = overrides or {}, status_overrides or {}
    CheckResult.objects.filter(application=app, is_current=True).update(is_current=False)
    now = timezone.now()
    rows = []
    for member in app.household.members.all():
        for department, facts in BENIGN_FACTS.items():
            facts = {**facts, **overrides.get(department, {})}
            if department == "hukou":
                facts["name"] = member.name
            if department == "marriage":
                facts["marital_status"] = member.marital_status
            status = status_overrides.get(department, "pass")
            rows.append(CheckResult(application=app, member=member, id_number_hash=member.id_number_hash,
                                    department=department, status=status,
                                    facts={} if status == "unknown" else facts,
                                    reason="交换平台超时（2 秒）" if status == "unknown" else "",
                                    reply_hash="0" * 64, queried_at=now))
    CheckResult.objects.bulk_create(rows)


def fresh(app):
    return Application.objects.get(pk=app.pk)


def accepted(app, clerk):
    services.application_accept(application=app, actor=clerk)
    return fresh(app)


def in_cross_check(app, clerk):
    app = accepted(app, clerk)
    review.street_approve(application=app, actor=clerk)
    return fresh(app)


def in_district_review(app, clerk, **results):
    app = in_cross_check(app, clerk)
    store_results(app, **results)
    assert review.checks_finished(application_id=app.pk)
    app = fresh(app)
    assert app.status == Status.DISTRICT_REVIEW
    return app


def in_public_notice(app, clerk, caseworker):
    app = in_district_review(app, clerk)
    review.district_approve(application=app, actor=caseworker)
    return fresh(app)
