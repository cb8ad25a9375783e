"""In a real browser at the narrowest phones (320 px) and the common one (375 px): nothing scrolls
sideways on the estate page, the unit page, the home page, and the application's members and review
pages, whose members table used to break at 375 px (issue 12, item 16). Screenshots go to
test-results/widths/."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from applications.apply import services as apply_services
from housing.models import EstatePhoto, UnitPhoto
from tests import factories as people
from tests.applications import builders
from tests.browser import shot
from tests.housing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = [320, 375]
LONG = "黑龙江省大庆市萨尔图区某某石油化工设备制造有限责任公司第二分公司"


def _picture(model, owner_field, owner):
    photo = model(**{owner_field: owner}, caption="外景")
    photo.image.save("p.jpg", ContentFile(factories.image_bytes(size=(800, 500))), save=True)


@pytest.fixture
def stock():
    estate = factories.estate("230602", name="益民小区", rent_per_sqm="7.15",
                              facilities="社区卫生服务站\n公交站（益民路）\n农贸市场\n小学")
    building = factories.building(estate, name="4号楼")
    unit = factories.unit(building, number="2单元502", area="65.37", bedrooms=3, layout="三室一厅一卫",
                          published=True)
    factories.unit(building, number="2单元301", area="22.00", bedrooms=0, published=True)
    _picture(EstatePhoto, "estate", estate)
    _picture(UnitPhoto, "unit", unit)
    unit.floor_plan.save("plan.jpg", ContentFile(factories.image_bytes(size=(640, 420))), save=True)
    return estate, unit


@pytest.fixture
def application():
    user = builders.applicant("欧阳建国")
    user.set_password(people.PASSWORD)
    user.save()
    app = builders.draft(user, members=[("spouse", "司马淑英", builders.fresh_id_number(born="19920304")),
                                        ("child", "欧阳子涵", builders.fresh_id_number(born="20150607"))])
    me = app.household.members.get(relationship="self")
    apply_services.member_save(application=app, actor=user, member=me, relationship="self", name=me.name,
                               id_number=me.id_number, marital_status="married", employer=LONG,
                               monthly_income=Decimal("123456.78"), disability="none")
    return app


def _log_in(page, origin, user):
    page.goto(origin + "/accounts/login/")
    page.get_by_label("用户名或手机号").fill(user.username)
    page.get_by_label("密码").fill(people.PASSWORD)
    page.get_by_role("button", name="登录").click()
    # A fulfilled redirect makes Chromium fail its first request to "/" and retry: wait for the page.
    expect(page.locator(".account-nav .who")).to_be_visible()
    page.wait_for_load_state("load")


def _overflow(page):
    """Page width beyond the window, and the elements that stick out (to say what to fix)."""
    return page.evaluate("""() => ({
        fits: document.documentElement.scrollWidth <= window.innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
        wide: Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 5).map(el => el.tagName + '.' + el.className),
    })""")


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_fit_the_phone(page, portal_in_browser, stock, width):
    estate, unit = stock
    page.set_viewport_size({"width": width, "height": 740})
    for name, url in [("home", "/"), ("estate", f"/housing/estates/{estate.pk}/"),
                      ("unit", f"/housing/units/{unit.pk}/"), ("search", "/housing/units/")]:
        page.goto(portal_in_browser + url)
        page.wait_for_load_state("load")
        shot(page, "widths", f"{name}-{width}")
        result = _overflow(page)
        assert result["fits"], (name, width, result)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_members_pages_fit_the_phone(page, portal_in_browser, application, width):
    page.set_viewport_size({"width": width, "height": 740})
    _log_in(page, portal_in_browser, application.applicant)
    for name, url in [("members", f"/apply/{application.pk}/members/"),
                      ("review", f"/apply/{application.pk}/review/")]:
        page.goto(portal_in_browser + url)
        page.wait_for_load_state("load")
        assert "司马淑英" in page.content(), (name, page.url)
        shot(page, "widths", f"{name}-{width}")
        result = _overflow(page)
        assert result["fits"], (name, width, result)


def _broken_cells(page):
    """Members-table cells whose text runs over more than one line (an ID number split in two)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('main table td')).filter(td => {
        const range = document.createRange(); range.selectNodeContents(td);
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size > 1;
    }).map(td => td.textContent)""")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_id_number_or_amount_is_split_in_the_members_table(page, portal_in_browser, application, width):
    page.set_viewport_size({"width": width, "height": 740})
    _log_in(page, portal_in_browser, application.applicant)
    page.goto(portal_in_browser + f"/apply/{application.pk}/review/")
    page.wait_for_load_state("load")
    assert page.locator("main table td").count() == 12
    assert _broken_cells(page) == []
    assert _overflow(page)["fits"]
