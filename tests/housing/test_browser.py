"""In a real browser, at phone width: a visitor filters units, sees their photos, is told about a bad
value, and opens a unit. Screenshots go to test-results/housing/ (kept as CI artifacts)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from housing.models import EstatePhoto, UnitPhoto
from tests.housing import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "housing"


def _photo(model, owner_field, owner, color):
    photo = model(**{owner_field: owner}, caption="外景")
    photo.image.save("p.jpg", ContentFile(factories.image_bytes(size=(640, 400), color=color)), save=True)
    return photo


@pytest.fixture
def city():
    """萨尔图区: a furnished one-bedroom with its own photo, an unfurnished one, a two-bedroom;
    龙凤区: a furnished one-bedroom. The estate in 萨尔图区 has a photo too."""
    saertu = factories.estate("230602", name="益民小区", rent_per_sqm="7.50")
    longfeng = factories.estate("230603", name="湿地家园")
    b1, b2 = factories.building(saertu, name="1号楼"), factories.building(longfeng, name="2号楼")
    units = {
        "match": factories.unit(b1, number="1单元101", floor=1, area="42.00", bedrooms=1, furnished=True, published=True),
        "unfurnished": factories.unit(b1, number="1单元201", floor=2, area="40.00", bedrooms=1, published=True),
        "two_rooms": factories.unit(b1, number="2单元301", floor=3, area="58.00", bedrooms=2, furnished=True, published=True),
        "elsewhere": factories.unit(b2, number="1单元101", floor=1, area="45.00", bedrooms=1, furnished=True, published=True),
    }
    _photo(EstatePhoto, "estate", saertu, (40, 120, 200))
    _photo(UnitPhoto, "unit", units["match"], (200, 80, 40))
    return units


def _images(page):
    page.wait_for_load_state("load")
    # The pages' images are loading="lazy", which the load event does not wait for (under load in CI a
    # card's photo was still on its way): each is brought into view, then all are given time to finish
    # — loaded or broken (`complete` is true for both; a broken one has no natural width).
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function("() => Array.from(document.querySelectorAll('main img')).every(i => i.complete)",
                           timeout=15_000)
    return page.eval_on_selector_all(
        "main img", "imgs => imgs.map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0}))"
    )


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_filters_units_and_opens_one(page, live_server, city):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/")
    page.locator("a.service-card", has_text="信息浏览").click()
    page.locator("a.service-card", has_text="房源信息").click()
    page.wait_for_url("**/housing/units/")
    assert page.get_by_role("heading", level=1).inner_text() == "房源查看"
    assert "找到 4 套房源" in page.inner_text("#results-title")

    page.get_by_label("区县").select_option(label="萨尔图区")
    page.get_by_label("居室").select_option(label="一居室")
    page.get_by_label("只看拎包入住").check()
    page.get_by_label("排序").select_option(label="租金从低到高")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**district=230602**")
    assert "bedrooms=1" in page.url and "furnished=1" in page.url

    cards = page.locator(".unit-card")
    assert cards.count() == 1
    assert "益民小区 1号楼 1单元101" in cards.first.inner_text()
    assert "315.00" in cards.first.inner_text()  # 42.00 ㎡ × 7.50
    images = _images(page)
    assert images and all(i["ok"] for i in images), images
    assert _fits_the_phone(page)
    assert page.get_by_label("区县").input_value() == "230602"  # the form keeps the filters
    page.screenshot(path=str(SHOTS / "1-search-filtered.png"), full_page=True)

    page.get_by_placeholder("最小").first.fill("abc")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("load")
    assert "最小面积：请输入数字。" in page.inner_text("#e-area_min")
    assert "部分筛选条件无效" in page.inner_text("#search-notices")
    assert page.locator(".unit-card").count() == 1  # the other filters still apply
    page.screenshot(path=str(SHOTS / "2-search-bad-value.png"), full_page=True)

    page.locator(".unit-card a").first.click()
    page.wait_for_url(f"**/housing/units/{city['match'].pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "益民小区 1号楼 1单元101"
    body = page.inner_text("main")
    assert "拎包入住" in body and "315.00" in body and "42.00 ㎡" in body
    images = _images(page)
    assert len(images) == 2 and all(i["ok"] for i in images), images  # the unit's and the estate's
    assert _fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "3-unit.png"), full_page=True)

    page.get_by_role("link", name="益民小区").first.click()
    page.wait_for_load_state("load")
    assert "查看本小区全部 3 套房源" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "4-estate.png"), full_page=True)
