"""In a real browser at phone width (375 px), with the simulated exchange running over real HTTP:
register with an SMS code, verify identity, fill the wizard, upload materials, submit and follow
progress. Screenshots go to test-results/applications/. The portal answers the browser through
`portal_in_browser` (tests/conftest.py), inside the test's transaction."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application, Status
from tests.applications.builders import PDF_BYTES, png_bytes
from tests.applications.conftest import WANG_LI, last_code
from tests.browser import fits_the_phone, shot, unlabelled_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FOLDER = "applications"
PHONE = "13912345678"
PASSWORD = "Wang-li-2026"


def save(page):
    page.get_by_role("button", name=re.compile("保存")).click()
    page.wait_for_load_state("load")


def test_register_verify_apply_upload_submit_and_follow_progress(page, portal_in_browser, exchange,
                                                                 django_capture_on_commit_callbacks):
    page.goto(portal_in_browser + "/")
    page.get_by_role("link", name=re.compile("资格申请")).click()
    page.get_by_role("link", name="注册", exact=True).first.click()

    # Register: phone, code, password.
    assert unlabelled_fields(page) == []
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(last_code(PHONE))
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    assert unlabelled_fields(page) == []
    shot(page, FOLDER, "01-register")
    page.get_by_role("button", name="注册").click()

    # Real-name verification against the simulated 公安户籍 — first with a typo in the number.
    page.get_by_label("姓名").fill(WANG_LI[0])
    page.get_by_label("身份证号码").fill(WANG_LI[1][:-1] + "3")
    page.get_by_role("button", name="提交认证").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")  # focus moves to it
    assert page.get_by_label("姓名").input_value() == WANG_LI[0]  # nothing typed is lost
    shot(page, FOLDER, "02-verify-error")
    page.get_by_label("身份证号码").fill(WANG_LI[1])
    page.get_by_role("button", name="提交认证").click()
    expect(page.locator("main")).to_contain_text("实名认证成功")

    # The wizard.
    page.get_by_role("button", name="开始新的申请").click()
    page.get_by_label("低收入").first.check()
    shot(page, FOLDER, "03-assistance")
    save(page)

    page.get_by_role("link", name=re.compile("修改 王丽")).click()
    page.get_by_label("婚姻状况").select_option("married")
    page.get_by_label("工作单位").fill("大庆某物业公司")
    page.get_by_label("月收入（元）").fill("1800")
    save(page)
    page.get_by_label("与申请人关系").select_option("child")
    page.get_by_label("姓名").fill("李小雨")
    page.get_by_label("身份证号码").fill("230603201206080049")
    page.get_by_label("婚姻状况").select_option("unmarried")
    page.get_by_label("月收入（元）").fill("0")
    page.get_by_role("button", name="添加成员").click()
    expect(page.locator("main")).to_contain_text("2306**********0049")
    assert fits_the_phone(page)
    assert unlabelled_fields(page) == []
    shot(page, FOLDER, "04-members")
    page.get_by_role("link", name="成员已填完，下一步").click()

    page.get_by_label("租住私房").check()
    page.get_by_label("现住房建筑面积（㎡）").fill("18.5")
    page.get_by_label("现住址").fill("萨尔图区东安社区 3-2-501")
    save(page)
    page.get_by_label("否", exact=True).check()
    save(page)
    page.get_by_label("萨尔图区").check()
    page.get_by_label("一居室").check()
    save(page)
    page.get_by_label("所在街道/乡镇").select_option(label="萨尔图街道")
    page.get_by_label("所在社区").select_option(label="东安社区")
    assert unlabelled_fields(page) == []
    shot(page, FOLDER, "05-place")
    save(page)
    # The consent step by keyboard alone: tab to the box, tick it with Space, tab to the button, Enter.
    page.get_by_label("我已阅读并同意以上授权书").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("申请材料")

    # Materials: a bad file first, then the real ones (keyboard-reachable file inputs).
    page.locator("input[name='income-file']").set_input_files(
        files=[{"name": "收入证明.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 200}])
    page.get_by_role("button", name="上传收入证明").click()
    expect(page.locator("main")).to_contain_text("不是 PDF、JPG 或 PNG")
    shot(page, FOLDER, "06-materials-refused")
    # 身份证明, 户籍证明 and 婚姻状况证明 come online from 公安户籍 and 婚姻登记: not asked.
    for kind, label in (("income", "收入证明"), ("current_housing", "现住房情况证明"), ("category_proof", "类别证明")):
        payload = {"name": f"{label}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES} if kind == "income" \
            else {"name": f"{label}.png", "mimeType": "image/png", "buffer": png_bytes()}
        page.locator(f"input[name='{kind}-file']").set_input_files(files=[payload])
        page.get_by_role("button", name=f"上传{label}").click()
        expect(page.locator("main")).to_contain_text(f"{label}已上传")
    assert fits_the_phone(page)
    assert unlabelled_fields(page) == []
    shot(page, FOLDER, "07-materials")

    page.get_by_role("link", name="下一步：检查并提交").click()
    shot(page, FOLDER, "08-review")
    # The test runs in one transaction: the SMS and in-site message (sent on commit) are run here.
    with django_capture_on_commit_callbacks(execute=True):
        page.get_by_role("button", name="确认无误，提交申请").click()
        expect(page.locator("main")).to_contain_text("办理进度")

    # Progress.
    expect(page.locator("main")).to_contain_text("已提交，待受理")
    expect(page.locator("main")).to_contain_text("申请人网上提交")
    assert fits_the_phone(page)
    shot(page, FOLDER, "09-progress")
    application = Application.objects.get(applicant__phone=PHONE)
    assert application.status == Status.SUBMITTED
    assert application.household.members.count() == 2
    assert application.materials.current().count() == 3

    page.get_by_role("link", name="消息中心").click()
    expect(page.locator("main")).to_contain_text("申请已提交")
    shot(page, FOLDER, "10-messages")
