"""In a real browser under the Content-Security-Policy: the article admin's rich-text editor starts
without breaking any rule of the policy, types a heading, uploads an image into the article and saves
it in the body (issue 12, item 24). Screenshots go to test-results/articles/."""

import pytest
from playwright.sync_api import expect

from gongzufang.models import Article
from tests.browser import shot
from tests.gongzufang.articles_helpers import article_with_images, png
from tests.gongzufang.test_browser_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_editor_runs_under_the_csp_and_uploads_an_image_into_the_article(page, portal_in_browser, chen):
    chen.set_password("Zz-9876-secret")
    chen.save()
    article = article_with_images(images=0, publish=False, actor=chen)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(portal_in_browser + "/admin/login/")
    page.fill("#id_username", chen.username)
    page.fill("#id_password", "Zz-9876-secret")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()
    page.goto(portal_in_browser + f"/admin/gongzufang/article/{article.pk}/change/")

    editor = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    expect(page.locator(".prose-menubar")).to_be_visible()
    assert page.locator("textarea[name=body]").is_hidden()
    assert "Heading" not in page.inner_text(".prose-menubar")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("申请条件补充说明")

    page.set_input_files("#article-editor-file", files=[
        {"name": "外景.png", "mimeType": "image/png", "buffer": png(480, 320).read()}])
    page.fill("#article-editor-caption", "小区外景")
    page.get_by_role("button", name="上传并插入图片").click()
    expect(page.locator(".article-editor-status")).to_contain_text("已插入图片")
    image = article.images.get()
    inserted = editor.locator(f'img[src="{image.url}"]')
    expect(inserted).to_be_visible()
    assert inserted.evaluate("img => img.complete && img.naturalWidth === 480")
    shot(page, "articles", "editor-with-image")

    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    body = Article.objects.get(pk=article.pk).body
    assert f'<img src="{image.url}" alt="小区外景">' in body and "申请条件补充说明" in body
    assert page.evaluate("window.__csp") == []
