"""A 租赁补贴 application approved by the city makes its grant in the same transaction, with every
input of the amount and the parameter rows used; a change takes effect from the next month."""

from datetime import date
from decimal import Decimal as D

import pytest

from applications.models import Application
from gongzufang.models import PolicyParameter
from subsidies import services
from subsidies.models import GrantComputation, GrantStatus, GrantStatusChange, SubsidyGrant
from subsidies.receivers import on_application_approved
from tests.applications.builders import submitted
from tests.applications.review_builders import approved
from tests.helpers import at

from .builders import approved_subsidy, contract

pytestmark = pytest.mark.django_db


def test_city_approval_makes_the_grant_with_its_computation_and_parameter_rows():
    grant = approved_subsidy(category="low_income", members=[("spouse", "张敏"), ("child", "李小宝")])
    assert grant.status == GrantStatus.ACTIVE and grant.district.code == "230602"
    computation = grant.computations.get()
    # 低收入: 10.00 元/㎡ × 15 ㎡ × 3 人 × 0.80 = 360.00 元 (no lease yet: not capped)
    assert (computation.members_counted, computation.eligible_area, computation.amount) == (3, D("45.00"), D("360.00"))
    keys = {p["key"]: p for p in computation.parameters}
    assert set(keys) == {"subsidy.standard_per_sqm.low_income", "subsidy.coefficient.low_income",
                         "subsidy.area_per_person"}
    row = PolicyParameter.objects.get(key="subsidy.area_per_person", district__isnull=True)
    assert keys["subsidy.area_per_person"]["row_id"] == row.pk
    assert keys["subsidy.area_per_person"]["effective_from"] == row.effective_from.isoformat()
    assert grant.monthly_amount == D("360.00")
    assert GrantStatusChange.objects.filter(grant=grant, to_status="active").count() == 1
    assert grant.start_period > grant.approved_at.date().replace(day=1)  # from the month after approval


def test_the_receiver_is_idempotent():
    grant = approved_subsidy()
    on_application_approved(sender=Application, application=grant.application, actor=None)
    assert SubsidyGrant.objects.filter(application=grant.application).count() == 1
    assert GrantComputation.objects.filter(grant=grant).count() == 1


def test_a_unit_application_gets_no_grant():
    app = approved(submitted(assistance="unit"))
    assert not SubsidyGrant.objects.filter(application=app).exists()


def test_the_lease_caps_the_amount_from_the_first_month_when_nothing_was_paid_yet():
    grant = approved_subsidy()  # 1 person: 10 × 15 × 0.8 = 120.00
    services.lease_register(grant=grant, actor=grant.applicant, landlord_name="张房东", address="萨尔图区某路 8 号",
                            monthly_rent="100.00", start_on=date(2026, 1, 1), end_on=date(2027, 1, 1),
                            contract=contract())
    computation = GrantComputation.objects.get(grant=grant)
    assert (computation.effective_from, computation.uncapped_amount, computation.amount) == (
        grant.start_period, D("120.00"), D("100.00"))
    assert computation.lease.monthly_rent == D("100.00")


def test_a_changed_parameter_takes_effect_from_the_next_month():
    grant = approved_subsidy()
    first = grant.computations.get()
    PolicyParameter.objects.create(key="subsidy.standard_per_sqm.low_income", value="12.00",
                                   effective_from=date(2026, 1, 1), legal_source="测试文件")
    with at(date(2027, 3, 15)):
        later = services.grant_recompute(grant=grant)
    assert later.effective_from == date(2027, 4, 1)
    assert later.amount == D("144.00")  # 12 × 15 × 0.8
    assert GrantComputation.objects.get(pk=first.pk).amount == D("120.00")  # the earlier months keep theirs


def test_a_lease_that_is_not_a_pdf_is_refused_in_chinese_and_nothing_is_saved():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzufang.errors import PortalError

    grant = approved_subsidy()
    with pytest.raises(PortalError) as err:
        services.lease_register(grant=grant, actor=grant.applicant, landlord_name="张房东", address="某路",
                                monthly_rent="800", start_on=date(2026, 1, 1), end_on=date(2027, 1, 1),
                                contract=SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf"))
    assert "PDF" in err.value.message
    assert not grant.leases.exists()


def test_suspend_restore_stop_from_a_month_with_reasons(dave):
    grant = approved_subsidy()
    services.grant_suspend(grant=grant, actor=None, reason="年审未按期申报", from_period=date(2027, 5, 1))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.SUSPENDED
    assert grant.payable_in(date(2027, 4, 1)) and not grant.payable_in(date(2027, 5, 1))
    services.grant_restore(grant=grant, actor=dave, reason="已补报年审", from_period=date(2027, 8, 1))
    grant.refresh_from_db()
    # Not back-paid: May–July are never payable.
    assert grant.status == GrantStatus.ACTIVE
    assert not grant.payable_in(date(2027, 6, 1)) and grant.payable_in(date(2027, 8, 1))
    services.grant_stop(grant=grant, actor=None, reason="购买住房，退出保障", from_period=date(2027, 10, 1))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.STOPPED
    assert grant.payable_in(date(2027, 9, 1)) and not grant.payable_in(date(2027, 10, 1))
    assert list(grant.status_changes.order_by("id").values_list("to_status", flat=True)) == ["active", "suspended", "active", "stopped"]


def test_another_districts_caseworker_cannot_suspend(bob):
    from gongzufang.workflow import NotFound

    grant = approved_subsidy()
    with pytest.raises(NotFound):
        services.grant_suspend(grant=grant, actor=bob, reason="x", from_period=date(2027, 5, 1))


def test_a_future_parameter_row_a_computation_used_cannot_be_changed():
    from gongzufang.models.parameters import ParameterLocked

    future = PolicyParameter.objects.create(key="subsidy.area_per_person", value="16.00",
                                            effective_from=date(2030, 1, 1), legal_source="测试文件")
    grant = approved_subsidy()
    with at(date(2030, 2, 1)):
        services.grant_recompute(grant=grant)
    future.value = "17.00"
    with pytest.raises(ParameterLocked):
        future.save()
