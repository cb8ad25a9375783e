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


def _staff_of(app):
    """A street clerk, a district and a city caseworker who may decide `app` (test personas)."""
    from tests import factories

    return (factories.ClerkFactory(street=app.street), factories.DistrictCaseworkerFactory(district=app.district),
            factories.CityCaseworkerFactory())


def approved(app, clerk=None, caseworker=None, city=None):
    """A submitted application taken through every step to 审核通过, as the review services do it."""
    from datetime import timedelta

    from tests.helpers import at

    staff = _staff_of(app)
    clerk, caseworker, city = clerk or staff[0], caseworker or staff[1], city or staff[2]
    app = in_public_notice(app, clerk, caseworker)
    with at(app.notice_ends_on + timedelta(days=1)):
        review.close_notice(application=app, actor=caseworker)
        review.city_approve(application=fresh(app), actor=city)
    app = fresh(app)
    assert app.status == Status.APPROVED
    return app


def rejected(app, clerk=None, opinion="家庭人均月收入超过标准"):
    """A submitted application the street clerk accepts and rejects (不通过)."""
    clerk = clerk or _staff_of(app)[0]
    app = accepted(app, clerk)
    review.reject(application=app, actor=clerk, opinion=opinion)
    return fresh(app)


def at_status(app, status):
    """A submitted application brought to `status` through the services (the quickest way there)."""
    from datetime import timedelta

    from tests.helpers import at

    clerk, caseworker, city = _staff_of(app)
    if status == Status.SUBMITTED:
        return fresh(app)
    if status == Status.RETURNED_FOR_CORRECTION:
        services.application_return_for_correction(application=app, actor=clerk,
                                                   items=[("materials", "请补充收入证明")])
        return fresh(app)
    if status == Status.ACCEPTED:
        return accepted(app, clerk)
    if status == Status.STREET_REVIEW:
        app = accepted(app, clerk)
        review.begin_street_review(application=app, actor=clerk)
        return fresh(app)
    if status == Status.DISTRICT_REVIEW:
        return in_district_review(app, clerk)
    if status == Status.PUBLIC_NOTICE:
        return in_public_notice(app, clerk, caseworker)
    if status == Status.CITY_REVIEW:
        app = in_public_notice(app, clerk, caseworker)
        with at(app.notice_ends_on + timedelta(days=1)):
            review.close_notice(application=app, actor=caseworker)
        return fresh(app)
    if status == Status.APPROVED:
        return approved(app, clerk, caseworker, city)
    if status == Status.REJECTED:
        return rejected(app, clerk)
    raise ValueError(f"no builder for {status}")
