"""In a real browser at phone width (375 px): log in, submit a repair request with a photo (a fake photo
first: refused with a message, the text kept), see it waiting with its due date; a caseworker replies
through the service; the person reads the reply and rates it. Screenshots go to test-results/complaints/.
The portal answers the browser through `portal_in_browser` (tests/conftest.py), inside the test's
transaction."""

import re

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.models import Feedback, ServiceRating, Status
from tests import factories
from tests.browser import fits_the_phone, shot, unlabelled_fields
from tests.complaints.conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "complaints"
TEXT = "卫生间水管漏水，已影响楼下住户。<b>请尽快</b>"


def test_submit_with_a_photo_then_read_the_reply_and_rate_it(page, portal_in_browser, tom, dave,
                                                             django_capture_on_commit_callbacks):
    page.goto(portal_in_browser + "/")
    page.get_by_role("link", name=re.compile("意见反馈")).click()
    page.get_by_role("link", name="登录后提交").click()
    page.get_by_label("用户名或手机号").fill(tom.username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()

    # The form: a fake photo first.
    expect(page.get_by_role("heading", name="提交意见反馈")).to_be_visible()
    assert unlabelled_fields(page) == []
    page.get_by_label("报修").check()
    page.get_by_label("类别").select_option(label="维修养护")
    page.get_by_label("具体内容").fill(TEXT)
    page.get_by_label("承办区县").select_option(label="萨尔图区")
    page.get_by_label("照片").set_input_files(files=[
        {"name": "漏水.jpg", "mimeType": "image/jpeg", "buffer": b"GIF89a not really a photo" * 10}])
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".error-summary")).to_contain_text("不是有效的图片")
    assert page.get_by_label("具体内容").input_value() == TEXT  # nothing typed is lost
    assert page.get_by_label("报修").is_checked()
    assert not Feedback.objects.exists()
    assert fits_the_phone(page)
    shot(page, FOLDER, "01-photo-refused")

    page.get_by_label("照片").set_input_files(files=[
        {"name": "漏水.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(800, 600), exif=True)}])
    page.get_by_role("button", name="提交").click()

    # Waiting for the reply, with its due date; the photo is served to its sender.
    expect(page.locator("#feedback-status")).to_have_text("待答复")
    item = Feedback.objects.get()
    expect(page.get_by_role("heading", name=f"报修 {item.number}")).to_be_visible()
    assert "答复期限" in page.content() and "&lt;b&gt;请尽快&lt;/b&gt;" in page.content()
    photo = page.get_by_role("img", name="照片 1")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth === 800")
    assert fits_the_phone(page)
    shot(page, FOLDER, "02-submitted")

    # A caseworker of the district answers (through the service, as the admin and the API do).
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_reply(feedback=item, actor=dave, text="已安排维修师傅明天上午上门，请保持电话畅通。")

    page.reload()
    expect(page.locator("#feedback-status")).to_have_text("已答复")
    expect(page.locator("#reply")).to_contain_text("已安排维修师傅明天上午上门")
    shot(page, FOLDER, "03-replied")

    page.get_by_label("5 分 非常满意").check()
    page.get_by_label("评价内容").fill("响应及时")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    expect(page.get_by_text("5 分：响应及时")).to_be_visible()
    assert ServiceRating.objects.get().score == 5
    assert Feedback.objects.get().status == Status.REPLIED
    assert fits_the_phone(page)
    shot(page, FOLDER, "04-rated")

    # The message centre has the reply too.
    page.get_by_role("link", name="消息中心").click()
    expect(page.get_by_role("link", name="报修已答复")).to_be_visible()
