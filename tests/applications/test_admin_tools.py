"""The caseworkers' list tools: deadline, district and street filters (only one's own area offered),
search by number, name, phone and full ID number, and the masked, formula-safe Excel export of the
filtered list. Tested directly and through a throwaway ModelAdmin built the way ApplicationAdmin
wires them."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.utils import timezone

from applications.models import Application, Status
from applications.review.admin_tools import (
    ApplicationAdminToolsMixin,
    ApplicationResource,
    DistrictFilter,
    OverdueFilter,
    StreetFilter,
    due_soon_limit,
    filter_by_due,
    find_by_id_number,
    search_applications,
)
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.models import District, Street
from gongzufang.pii import mask_id_number
from gongzufang.workdays import add_workdays
from tests import factories
from tests.applications import review_builders
from tests.applications.builders import applicant, fresh_id_number, submitted

pytestmark = pytest.mark.django_db


class ThrowawayAdmin(DistrictScopedAdminMixin, ApplicationAdminToolsMixin, admin.ModelAdmin):
    list_filter = ["status", DistrictFilter, StreetFilter, "category", "assistance_type", OverdueFilter]
    search_fields = ["number"]


# A whole admin site with only the throwaway admin, to prove the wiring end to end (test_the_wired_*).
throwaway_site = AdminSite(name="admin")
throwaway_site.register(Application, ThrowawayAdmin)
urlpatterns = [path("admin/", throwaway_site.urls), path("", include("applications.urls")), path("", include("notifications.urls"))]


@pytest.fixture
def model_admin():
    return ThrowawayAdmin(Application, AdminSite())


def request_as(user, **params):
    request = RequestFactory().get("/admin/applications/application/", params)
    request.user = user
    return request


def listed(model_admin, user, **params):
    request = request_as(user, **params)
    return set(model_admin.get_export_queryset(request).values_list("number", flat=True))


def due(app, on, status=None):
    """The application brought to `status` through the services, its step due on `on` (the deadline is
    set here directly: the filters under test read the stored date)."""
    if status:
        app = review_builders.at_status(app, status)
    Application.objects.filter(pk=app.pk).update(step_due_on=on)
    return Application.objects.get(pk=app.pk)


# --- deadlines -----------------------------------------------------------------------------------


@pytest.fixture
def clocks():
    today = timezone.localdate()
    limit = due_soon_limit(today)
    return {
        "overdue": due(submitted(), today - timedelta(days=1), Status.STREET_REVIEW),
        "today": due(submitted(), today, Status.DISTRICT_REVIEW),
        "soon": due(submitted(), limit, Status.CITY_REVIEW),
        "normal": due(submitted(), limit + timedelta(days=1), Status.STREET_REVIEW),
        # The clock is not running for these, whatever date is left on the row.
        "finished": due(submitted(), today - timedelta(days=9), Status.APPROVED),
        "paused": due(submitted(), today - timedelta(days=9), Status.RETURNED_FOR_CORRECTION),
        "no_deadline": submitted(),
    }


def numbers(queryset):
    return set(queryset.values_list("number", flat=True))


def test_the_deadline_filter_sorts_running_clocks_into_overdue_soon_and_normal(clocks):
    qs = Application.objects.all()
    n = {k: a.number for k, a in clocks.items()}
    assert numbers(filter_by_due(qs, "overdue")) == {n["overdue"]}
    assert numbers(filter_by_due(qs, "soon")) == {n["today"], n["soon"]}
    assert numbers(filter_by_due(qs, "normal")) == {n["normal"]}
    assert numbers(filter_by_due(qs, "")) == set(n.values())


def test_due_soon_counts_working_days_from_the_parameter():
    monday = date(2025, 6, 9)
    assert due_soon_limit(monday) == add_workdays(monday, 2) == date(2025, 6, 11)
    # 国庆 2025: 10-01 to 10-08 off; two working days after 09-30 are 10-09 and 10-10.
    assert due_soon_limit(date(2025, 9, 30)) == date(2025, 10, 10)


def test_the_deadline_filter_in_the_list(model_admin, clocks, dave):
    assert listed(model_admin, dave, due="overdue") == {clocks["overdue"].number}
    choices = OverdueFilter(request_as(dave), {}, Application, model_admin).lookup_choices
    assert [label for _v, label in choices] == ["逾期", "两个工作日内到期", "正常"]


# --- places --------------------------------------------------------------------------------------


def test_a_district_caseworker_is_offered_no_district_choice_and_only_own_streets(model_admin, dave):
    request = request_as(dave)
    assert DistrictFilter(request, {}, Application, model_admin).lookup_choices == []
    streets = StreetFilter(request, {}, Application, model_admin).lookup_choices
    own = set(Street.objects.filter(district__code="230602").values_list("pk", flat=True))
    assert {pk for pk, _label in streets} == own and len(own) > 1


def test_a_street_clerk_is_offered_neither(model_admin, carol):
    request = request_as(carol)
    assert DistrictFilter(request, {}, Application, model_admin).lookup_choices == []
    assert StreetFilter(request, {}, Application, model_admin).lookup_choices == []


def test_the_city_is_offered_every_district_and_the_streets_of_the_one_chosen(model_admin, chen):
    districts = DistrictFilter(request_as(chen), {}, Application, model_admin).lookup_choices
    assert len(districts) == District.objects.count() == 9
    b = District.objects.get(code="230603")
    request = request_as(chen, district=b.pk)
    streets = StreetFilter(request, {}, Application, model_admin).lookup_choices
    assert {pk for pk, _l in streets} == set(Street.objects.filter(district=b).values_list("pk", flat=True))
    assert not any(label.startswith(b.name) for _pk, label in streets)  # one district chosen: no prefix


def test_district_and_street_filters_narrow_the_list(model_admin, chen):
    a_street = factories.first_street("230602")
    other_a_street = Street.objects.filter(district__code="230602").order_by("code")[1]
    ours, neighbour, theirs = (submitted(street=a_street), submitted(street=other_a_street),
                               submitted(street=factories.first_street("230603")))
    assert listed(model_admin, chen, district=a_street.district_id) == {ours.number, neighbour.number}
    assert listed(model_admin, chen, street=a_street.pk) == {ours.number}
    assert listed(model_admin, chen, district="x") == set()
    assert theirs.number in listed(model_admin, chen)


def test_a_district_caseworker_never_lists_another_district_whatever_the_filter(model_admin, dave):
    theirs = submitted(street=factories.first_street("230603"))
    assert listed(model_admin, dave, district=theirs.district_id) == set()
    assert listed(model_admin, dave, street=theirs.street_id) == set()


# --- search --------------------------------------------------------------------------------------


@pytest.fixture
def family():
    spouse = fresh_id_number(born="19890505")
    person = applicant(name="赵建国")
    app = submitted(person, members=[("spouse", "钱美兰", spouse)])
    app.spouse_id = spouse
    submitted(applicant(name="孙立"))  # someone else
    return app


def found(term):
    return numbers(search_applications(Application.objects.all(), term))


def test_search_by_number_name_and_phone(family):
    assert found(family.number) == {family.number}
    assert found(family.number[-6:]) == {family.number}
    assert found("赵建国") == {family.number} and found("建国") == {family.number}
    assert found(family.applicant.phone) == {family.number}


def test_a_members_full_id_number_is_found_by_the_id_search_only(family):
    # The GET search never searches by ID number (tests/applications/test_id_search.py: the POST form).
    assert found(family.spouse_id) == set()
    by_id = numbers(find_by_id_number(Application.objects.all(), family.spouse_id.lower() + " "))
    assert by_id == {family.number}  # typed with a small x or a space
    assert numbers(find_by_id_number(Application.objects.all(), family.applicant.id_number)) == {family.number}


def test_part_of_an_id_number_finds_nothing(family):
    assert found(family.spouse_id[:14]) == set()


def test_an_id_number_in_the_get_search_finds_nothing_in_scope_or_out(model_admin, family, bob, dave):
    assert listed(model_admin, dave, q=family.spouse_id) == set()
    assert listed(model_admin, bob, q=family.spouse_id) == set()


def test_a_member_in_two_rows_lists_the_application_once(family):
    assert search_applications(Application.objects.all(), "钱美兰").count() == 1


# --- export --------------------------------------------------------------------------------------


def test_the_export_masks_id_numbers_and_phones_and_neutralises_formulae(family, dave):
    from gongzufang.models import User

    User.objects.filter(pk=family.applicant_id).update(real_name="=cmd|' /C calc'!A0")
    Application.objects.filter(pk=family.pk).update(housing_address="+SUM(A1:A9)")
    theirs = submitted(street=factories.first_street("230603"))
    dataset = ApplicationResource(user=dave).export()
    rows = {row[0]: dict(zip(dataset.headers, row, strict=True)) for row in dataset}
    assert theirs.number not in rows
    row = rows[family.number]
    assert row["申请人"] == "'=cmd|' /C calc'!A0" and row["现住址"] == "'+SUM(A1:A9)"
    assert row["身份证号码"] == mask_id_number(family.applicant.id_number)
    assert family.applicant.phone not in row["手机号"] and row["手机号"].endswith(family.applicant.phone[-4:])
    assert row["家庭人口"] == 2 and row["状态"] == "已提交，待受理" and row["区县"] == "萨尔图区"
    text = repr(dataset.dict)
    assert family.applicant.id_number not in text and family.spouse_id not in text


def test_the_excel_export_is_the_filtered_list(model_admin, clocks, dave):
    request = request_as(dave, due="overdue")
    queryset = model_admin.get_export_queryset(request)
    resource = model_admin.get_export_resource_classes(request)[0](**model_admin.get_export_resource_kwargs(request))
    data = resource.export(queryset=queryset)
    book = openpyxl.load_workbook(io.BytesIO(data.export("xlsx")))
    rows = list(book.active.values)
    assert rows[0][:3] == ("申请编号", "申请人", "身份证号码")
    assert [r[0] for r in rows[1:]] == [clocks["overdue"].number]
    assert dict(zip(rows[0], rows[1], strict=True))["逾期"] == "是"


def test_the_review_form_link(model_admin, family):
    html = model_admin.review_form_link(family)
    assert reverse("applications:staff_review_form", args=[family.pk]) in html and "打印审核表" in html


@pytest.mark.urls(__name__)
def test_the_wired_list_searches_filters_and_exports_in_excel(client, clocks, family, dave):
    client.force_login(dave)
    changelist = reverse("admin:applications_application_changelist")
    page = client.get(changelist, {"q": "钱美兰"})
    assert [a.number for a in page.context["cl"].result_list] == [family.number]
    page = client.get(changelist, {"due": "overdue"})
    html = page.content.decode()
    assert "两个工作日内到期" in html and reverse("admin:applications_application_export") in html
    fields = {f"applicationresource_{f}": "on" for f in ApplicationResource().get_export_order()}
    response = client.post(reverse("admin:applications_application_export") + "?due=overdue",
                           {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert [r[0] for r in rows[1:]] == [clocks["overdue"].number]
