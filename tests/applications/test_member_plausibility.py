"""The wizard no longer takes what cannot be so: each member must be checked and saved by the applicant
(已核对) before submission, no marriage under the legal age, declared vehicles have a value, and money
is accepted as people write it ("1,600", "1，600") (issue 12, item 15)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications import selectors, services
from applications.apply import services as apply_services
from applications.apply.forms import AssetsForm, MemberForm
from applications.models import Relationship, Status
from gongzufang.errors import PortalError
from tests.applications import builders

pytestmark = pytest.mark.django_db


def test_the_applicants_own_untouched_row_blocks_submission():
    app = builders.draft()
    me = app.household.members.get(relationship=Relationship.SELF)
    # As if the applicant never opened their own row: the row as application_start created it.
    type(me).objects.filter(pk=me.pk).update(confirmed_at=None)
    missing = selectors.missing_items(app)
    assert any("请核对并保存家庭成员" in text and me.name in text for _s, text in missing)
    with pytest.raises(PortalError):
        services.application_submit(application=app, actor=app.applicant)
    assert app.__class__.objects.get(pk=app.pk).status == Status.DRAFT


def test_saving_the_member_form_confirms_it(client):
    app = builders.draft()
    me = app.household.members.get(relationship=Relationship.SELF)
    type(me).objects.filter(pk=me.pk).update(confirmed_at=None)
    client.force_login(app.applicant)
    body = client.get(reverse("applications:members", args=[app.pk])).content.decode()
    assert "待核对" in body
    client.post(reverse("applications:member_edit", args=[app.pk, me.pk]),
                {"marital_status": "married", "employer": "", "monthly_income": "1,600", "disability": "none"})
    me.refresh_from_db()
    assert me.confirmed_at is not None and me.monthly_income == Decimal("1600.00")
    assert not selectors.missing_items(app)


def test_a_married_14_year_old_is_refused():
    app = builders.draft()
    child = builders.fresh_id_number(born="20120601", sex="female")
    with pytest.raises(PortalError, match="未到法定婚龄（女20 周岁"):
        apply_services.member_save(application=app, actor=app.applicant, relationship="child", name="李小雨",
                                   id_number=child, marital_status="married")
    young_man = builders.fresh_id_number(born="20060101", sex="male")
    with pytest.raises(PortalError, match="男22 周岁"):
        apply_services.member_save(application=app, actor=app.applicant, relationship="child", name="李小军",
                                   id_number=young_man, marital_status="married")
    apply_services.member_save(application=app, actor=app.applicant, relationship="child", name="李小雨",
                               id_number=child, marital_status="unmarried")


def test_a_declared_vehicle_needs_a_value():
    app = builders.draft()
    with pytest.raises(PortalError, match="请填写其总价值"):
        apply_services.application_set_assets(application=app, actor=app.applicant, vehicle_count=1,
                                              vehicle_value=Decimal("0"), business_count=0,
                                              business_capital=Decimal("0"), property_sold_recently=False)


@pytest.mark.parametrize("typed", ["1,600", "1，600", "1 600", "1,600.00", "１６００"])
def test_money_with_thousands_separators_is_accepted(typed):
    form = MemberForm({"relationship": "child", "name": "李小雨", "id_number": "230603201206080049",
                       "marital_status": "unmarried", "monthly_income": typed, "disability": "none"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["monthly_income"] == Decimal("1600")
    assets = AssetsForm({"vehicle_count": "1", "vehicle_value": typed, "business_count": "0",
                         "business_capital": "0", "property_sold_recently": "no"})
    assert assets.is_valid(), assets.errors
    assert assets.cleaned_data["vehicle_value"] == Decimal("1600")
