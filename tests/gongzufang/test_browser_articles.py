"""In a real browser: from the home page, by links, a visitor opens an article with images and
sees every one of them; the guide shows each form's categories. Screenshots go to test-results/.
The portal answers the browser from inside the test (see `portal_in_browser` in conftest.py)."""

from pathlib import Path

import pytest

from tests.gongzufang.articles_helpers import article_with_images

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "articles"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _all_images_shown(page):
    """Each <img>'s naturalWidth after it finished loading (0 = broken)."""
    return page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth}))",
    )


def _assert_loaded(page, expected):
    page.wait_for_load_state("load")
    images = _all_images_shown(page)
    assert len(images) == expected, images
    for image in images:
        assert image["complete"] and image["width"] > 0, image


def test_a_visitor_opens_an_article_with_images_from_the_home_page_and_sees_them(page, portal_in_browser, media):
    article = article_with_images(title="2026年第一批公租房摇号配租公告", code="notice", images=2, attachment=True)
    article_with_images(title="公租房申请材料精简为6项", code="guide", images=1)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(portal_in_browser + "/")
    page.screenshot(path=str(SHOTS / "1-home.png"), full_page=True)
    page.get_by_role("link", name="政策资讯", exact=True).click()
    page.wait_for_url("**/articles/")
    _assert_loaded(page, 2)  # the two covers
    page.screenshot(path=str(SHOTS / "2-article-list.png"), full_page=True)

    page.get_by_role("link", name="通知公告").click()
    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == article.title
    _assert_loaded(page, 3)  # cover and two images in the body
    for image in page.locator(".article-body img").all():
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        assert box and box["width"] > 0 and box["width"] <= 375  # fits the phone screen
    assert page.get_by_role("link", name="管理办法全文").is_visible()
    page.screenshot(path=str(SHOTS / "3-article.png"), full_page=True)


def test_a_visitor_reaches_the_guide_and_sees_every_forms_categories(page, portal_in_browser):
    from gongzufang.models import AssistanceForm

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(portal_in_browser + "/")
    page.get_by_role("link", name="办事指南：保障方式").click()
    page.wait_for_url("**/guide/")
    text = page.locator("main").inner_text()
    for form in AssistanceForm.objects.prefetch_related("categories"):
        assert form.name in text
        for category in form.categories.all():
            assert category.get_category_display() in text
    page.screenshot(path=str(SHOTS / "4-guide.png"), full_page=True)

    page.get_by_label("低收入").first.check()
    page.get_by_role("button", name="查看申请条件与材料").click()
    page.wait_for_url("**/guide/unit/?category=low_income")
    assert "低收入家庭" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "5-guide-unit-low-income.png"), full_page=True)
