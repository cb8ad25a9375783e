"""The applicant's half of the 操作手册 (issue 18): every service walked in a real browser at phone width
(375 × 812), on the demo data (`seed_demo`), each step a screenshot and an axe-core check in both viewports
(tests/manual/harness.py). `make manual` writes docs/manual/applicant/*.md from these steps; in CI
the same walk is a test, and fails when a page breaks or the committed manual no longer matches."""

import re

import pytest
from playwright.sync_api import expect

from tests.manual.conftest import login
from tests.manual.harness import Journey, click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

NEW_PHONE = "13800000099"  # never registered by the demo (docs/manual/demo-accounts.md)
NEW_PASSWORD = "Xin-zhuce-2026"


def unregistered_person():
    """(name, ID number) of a living resident in the simulated exchange's records (公安户籍) whom no
    demo account has verified yet."""
    from applications.crosscheck.exchange.simulated import load_records
    from gongzufang.models import User

    taken = {u.id_number for u in User.objects.only("id_number")}  # encrypted: compared after decryption
    records = load_records()
    for number, person in sorted(records["hukou"].items()):
        misbehaves = any(isinstance(table, dict) and isinstance(table.get(number), dict) and table[number].get("simulate")
                         for table in records.values())
        if number not in taken and person.get("status") == "normal" and not misbehaves:
            return person["name"], number
    raise AssertionError("模拟交换平台中没有未注册的居民")


def last_code(phone):
    from notifications.models import SmsOutbox

    row = SmsOutbox.objects.filter(phone=phone, purpose__startswith="code:").order_by("-id").first()
    assert row is not None, f"没有向 {phone} 发送验证码"
    return re.search(r"(?<!\d)\d{6}(?!\d)", row.text).group(0)


def test_applicant_register(page, manual_site, manual_exchange):
    name, id_number = unregistered_person()
    journey = Journey(
        page, role="applicant", service="register", title="注册认证", origin=manual_site,
        intro="第一次使用平台的申请人，先用手机号注册账号，再完成实名认证：平台向公安户籍在线核验姓名与"
              "身份证号码，核验通过后即可网上申请公租房、查询进度、缴纳租金。",
    )
    page.goto(manual_site + "/")
    expect(page.locator("h1")).to_contain_text("公共租赁住房")
    page.get_by_text("菜单", exact=True).click()
    expect(page.get_by_role("link", name="注册", exact=True)).to_be_visible()
    journey.step("打开平台首页（手机浏览器即可），点击页面右上角的“菜单”，再点击“注册”。")

    page.get_by_role("link", name="注册", exact=True).click()
    expect(page.locator("h1")).to_contain_text("注册")
    page.get_by_label("手机号").fill(NEW_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("main")).to_contain_text("验证码")
    page.get_by_label("短信验证码").fill(last_code(NEW_PHONE))
    page.get_by_label("设置密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入密码").fill(NEW_PASSWORD)
    journey.step("填写手机号，点击“获取验证码”，输入短信收到的 6 位验证码，设置密码（至少 8 位，两次输入一致）。")

    page.get_by_role("button", name="注册").click()
    expect(page.locator("h1")).to_contain_text("实名认证")
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号码").fill(id_number)
    journey.step("点击“注册”后进入实名认证：填写本人姓名和 18 位身份证号码。")

    page.get_by_role("button", name="提交认证").click()
    expect(page.locator("main")).to_contain_text("实名认证成功")
    journey.step("点击“提交认证”。平台向公安户籍核验，页面显示“实名认证成功”后即可开始申请；"
                 "核验不通过时页面会说明原因，已填写的内容不会丢失。")
    journey.finish()


def issued_lease():
    """A lease issued after choosing a unit, waiting for its tenant's signature (the demo has one)."""
    from rent.models import Lease

    lease = Lease.objects.filter(status="issued", offer__isnull=False).select_related("tenant").order_by("pk").first()
    assert lease is not None, "演示数据中没有待签署的租赁合同"
    return lease


def open_menu_link(page, name):
    page.get_by_text("菜单", exact=True).click()
    click_and_wait(page.get_by_role("navigation", name="网站导航").get_by_role("link", name=name, exact=True))


def demo_account(service):
    """The demo log-in seed_demo prints for a journey (tenancy.demo_story.journey(), found by what each
    holds now: the draw decides who is in the open choice window)."""
    from tenancy.demo_story import journey

    found = [username for username, _name, what in journey() if what.startswith(service + "：")]
    assert found, f"演示数据中没有“{service}”旅程的账号"
    return found[0]


def materials():
    """Small real files as a phone would send them: a one-page PDF and two PNG photos."""
    from tests.applications.builders import PDF_BYTES, png_bytes

    return [("收入证明", {"name": "收入证明.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}),
            ("现住房情况证明", {"name": "租房合同.png", "mimeType": "image/png", "buffer": png_bytes((320, 240))}),
            ("类别证明", {"name": "低收入证明.png", "mimeType": "image/png", "buffer": png_bytes((320, 240))})]


def test_applicant_apply(page, manual_site):
    from applications.models import Application

    draft = Application.objects.get(applicant__username="13800000021", status="draft")  # 赵强: half filled in
    journey = Journey(
        page, role="applicant", service="apply", title="资格申请", origin=manual_site,
        intro="完成注册认证后，可以网上提交公租房保障资格申请。申请分步填写，每一步都可以保存后下次继续；"
              "身份、户籍、婚姻等信息由平台向相关部门在线核验，需要上传的材料不超过 6 项。",
    )
    login(page, manual_site, "13800000021")
    open_menu_link(page, "资格申请")
    expect(page.locator("h1")).to_have_text("资格申请")
    expect(page.get_by_role("link", name="继续填写")).to_be_visible()
    journey.step("登录后点击“菜单”→“资格申请”。没有申请时点击“开始新的申请”；已保存的草稿可点击“继续填写”。")

    click_and_wait(page.get_by_role("link", name="继续填写"))
    expect(page.locator("h1")).to_have_text("家庭资产")  # 保障方式、家庭成员、现住房 were saved before
    page.get_by_label("家庭拥有的机动车（辆）").fill("0")
    page.get_by_label("机动车总价值（元）").fill("0")
    page.get_by_label("经营的企业或个体工商户（个）").fill("0")
    page.get_by_label("注册资本合计（元）").fill("0")
    page.get_by_label("否", exact=True).check()
    journey.step("点击“继续填写”，从上次停下的一步接着填。向导依次是保障方式、家庭成员（身份证号码自动校验）、"
                 "现住房、家庭资产、意向、街道社区、授权书和材料，已完成的步骤打“✓”。"
                 "家庭资产如实填写机动车、经营企业和近 5 年售房情况，没有的填 0。")

    click_and_wait(page.get_by_role("button", name="保存，下一步"))
    expect(page.locator("h1")).to_have_text("意向区域与户型")
    page.get_by_label("龙凤区").check()
    page.get_by_label("一居室").check()
    journey.step("点击“保存，下一步”。选择意向区域（可多选）和户型；可选户型按家庭人数确定。")

    click_and_wait(page.get_by_role("button", name="保存，下一步"))
    expect(page.locator("h1")).to_have_text("所在街道与社区")
    page.get_by_label("所在街道/乡镇").select_option(label="龙凤街道")
    page.get_by_label("所在社区").select_option(label="龙凤社区")
    journey.step("点击“保存，下一步”。按户籍或居住证所在地选择街道（乡镇）和社区，由该街道受理申请。")

    click_and_wait(page.get_by_role("button", name="保存，下一步"))
    expect(page.locator("h1")).to_have_text("授权书")
    page.get_by_label("我已阅读并同意以上授权书").check()
    journey.step("点击“保存，下一步”。阅读部门联审查询授权书，勾选“我已阅读并同意以上授权书”：平台凭此向公安、"
                 "不动产、民政、人社、公积金、市场监管、税务等部门核验家庭情况。")

    click_and_wait(page.get_by_role("button", name="保存，下一步"))
    expect(page.locator("h1")).to_have_text("申请材料")
    for label, payload in materials():
        page.get_by_role("region", name=re.compile(label)).locator("input[type=file]").set_input_files(files=[payload])
        click_and_wait(page.get_by_role("button", name=f"上传{label}"))
        expect(page.locator(".messages")).to_contain_text(f"{label}已上传")
    expect(page.locator("main .badge.warn", has_text="未上传")).to_have_count(0)
    journey.step("点击“保存，下一步”进入申请材料：只需上传页面列出的几类材料（手机拍照或 PDF，每个不超过 10 MB），"
                 "身份证明、户籍和婚姻信息由相关部门在线提供，不需要上传。每类选择文件后点击“上传”，显示“已上传”即可。")

    click_and_wait(page.get_by_role("link", name="下一步：检查并提交"))
    expect(page.locator("h1")).to_have_text("检查并提交")
    expect(page.get_by_role("button", name="确认无误，提交申请")).to_be_visible()
    journey.step("点击“下一步：检查并提交”，核对保障方式、家庭成员、住房与资产、材料和授权；需要修改的点击上方对应步骤。")

    click_and_wait(page.get_by_role("button", name="确认无误，提交申请"))
    expect(page.locator("h1")).to_have_text("办理进度")
    expect(page.locator(".messages")).to_contain_text(f"申请已提交，申请编号 {draft.number}")
    expect(page.locator("main")).to_contain_text("已提交，待受理")
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.materials.current().count() == 3
    journey.step("点击“确认无误，提交申请”。页面显示申请编号和当前状态“已提交，待受理”，以及各环节的办理期限；"
                 "提交和之后每次状态变化，平台都会发送短信和站内消息；可随时在“我的申请”→“查看进度”中查询。")
    journey.finish()


def test_applicant_info(page, manual_site):
    journey = Journey(
        page, role="applicant", service="info", title="信息浏览", origin=manual_site,
        intro="不需要登录即可浏览公租房政策资讯、办事指南、资格公示和房源信息。",
    )
    page.goto(manual_site + "/")
    open_menu_link(page, "信息浏览")
    expect(page.locator("h1")).to_have_text("信息浏览")
    journey.step("在首页点击“菜单”→“信息浏览”：这里汇集房源查看、政策资讯、资格公示和办事指南。")

    page.locator("main").get_by_role("link", name=re.compile("政策资讯")).first.click()
    expect(page.locator("h1")).to_have_text("政策资讯")
    journey.step("点击“政策资讯”，可按栏目筛选政策文件、通知公告。")

    page.locator("main h2.title a").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).not_to_be_empty()
    journey.step("点击标题阅读全文；页面顶部的“当前位置”可返回上一级。")

    page.goto(manual_site + "/info/")
    page.locator("main").get_by_role("link", name=re.compile("办事指南")).first.click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("指南")
    journey.step("在“信息浏览”中点击“办事指南”，查看申请条件、所需材料和办理流程。")
    journey.finish()


def test_applicant_progress(page, manual_site):
    journey = Journey(
        page, role="applicant", service="progress", title="进度查询", origin=manual_site,
        intro="提交申请后，随时可以查询办理进度：每一步由谁办理、何时办结、下一步是什么，平台都会列出；"
              "状态变化时还会发送短信和站内消息。",
    )
    from applications.models import Application

    application = Application.objects.filter(applicant__username="shenqingren").exclude(status="draft") \
        .order_by("-pk").first()
    assert application is not None, "演示申请人 shenqingren 没有已提交的申请"
    login(page, manual_site, "shenqingren")
    open_menu_link(page, "我的申请")
    expect(page.locator("h1")).to_have_text("资格申请")
    journey.step("登录后点击“菜单”→“我的申请”，列表中显示每份申请的编号和当前状态。")

    page.get_by_role("link", name="查看进度").first.click()
    expect(page.locator("h1")).to_have_text("办理进度")
    expect(page.locator("main")).to_contain_text(application.get_status_display())
    journey.step("点击“查看进度”：页面显示申请的当前状态，按时间列出已经办理的环节（受理、街道初审、部门联审、"
                 "区县审核、公示、市级审批）和接下来的步骤。")
    journey.finish()


def test_applicant_units(page, manual_site):
    journey = Journey(
        page, role="applicant", service="units", title="房源查看", origin=manual_site,
        intro="可以按区县、小区、居室、面积和租金筛选公租房房源，查看户型图、照片和周边配套。",
    )
    page.goto(manual_site + "/")
    open_menu_link(page, "房源")
    expect(page.locator("h1")).to_have_text("房源查看")
    journey.step("在首页点击“菜单”→“房源”，进入房源查看页面。")

    page.get_by_label("区县").select_option(label="萨尔图区")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("load")
    expect(page.locator(".unit-link").first).to_be_visible()
    journey.step("选择区县（如“萨尔图区”）、居室等条件，点击“筛选”。")

    page.locator(".unit-link").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("㎡")
    journey.step("点击房源查看详情：面积、租金、楼层、朝向、户型图和小区信息。")
    journey.finish()


def load_images(page):
    """Lazy images below the fold are loaded before the full-page screenshot, as a phone loads them
    while the page is scrolled."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")


def test_applicant_choose(page, manual_site):
    from allocation.models import Offer

    username = demo_account("选房")  # a household whose choice window is open now
    journey = Journey(
        page, role="applicant", service="choose", title="选房", origin=manual_site,
        intro="轮候家庭在配租方案摇号后，按选房顺序在规定的时间段内网上选房；选定后平台生成租赁合同，"
              "在签约期限内签约即可入住。",
    )
    login(page, manual_site, username)
    open_menu_link(page, "我的申请")
    click_and_wait(page.get_by_role("link", name="查看进度").first)
    expect(page.locator("h1")).to_have_text("办理进度")
    click_and_wait(page.get_by_role("link", name=re.compile("查看我的轮候")))
    expect(page.locator("h1")).to_have_text("我的轮候")
    expect(page.get_by_test_id("choice-panel")).to_contain_text("您的选房时间已开始")
    journey.step("选房时间开始时，平台发送短信和站内消息。登录后点击“菜单”→“我的申请”→“查看进度”→“查看我的轮候”"
                 "（或点击短信中的链接）：页面显示轮候编号、位次和选房时间，选房时间内出现“去选房”。")

    click_and_wait(page.get_by_test_id("choice-link"))
    expect(page.locator("h1")).to_contain_text("选房：")
    expect(page.get_by_test_id("choice-unit").first).to_be_visible()
    load_images(page)
    journey.step("点击“去选房”：列出本方案中尚未被选定、适合您家庭人数的房屋（面积、楼层、朝向、租金、户型图），"
                 "页面显示剩余套数。")

    unit = page.get_by_test_id("choice-unit").first
    name = unit.locator("h3").inner_text()
    click_and_wait(unit.get_by_role("link", name="选择此房"))
    expect(page.locator("h1")).to_have_text(f"确认选定：{name}")
    click_and_wait(page.get_by_role("button", name="获取短信验证码"))
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(last_code(username))
    journey.step("点击房屋的“选择此房”，核对户型、面积和租金，点击“获取短信验证码”，输入短信收到的 6 位验证码。")

    click_and_wait(page.get_by_role("button", name="确认选定此房"))
    expect(page.locator("h1")).to_have_text("选房结果")
    expect(page.get_by_test_id("offer")).to_contain_text(name)
    offer = Offer.objects.get(round_entry__entry__application__applicant__username=username, status="held")
    expect(page.get_by_test_id("sign-by")).to_contain_text(f"{offer.sign_by:%Y-%m-%d}")
    journey.step("点击“确认选定此房”，页面显示“选房结果”：选定的房屋为您保留，请在签约期限前到“我的合同”签约；"
                 "逾期未签约或放弃均计入拒绝配租。")
    journey.finish()


def test_applicant_sign(page, manual_site):
    journey = Journey(
        page, role="applicant", service="sign", title="签约", origin=manual_site,
        intro="选房后，住建局已盖章的电子租赁合同会出现在“我的租赁合同”中。阅读合同全文后，用短信验证码确认签署，"
              "合同即生效，可随时下载 PDF 并在线核验真伪。",
    )
    tenant = issued_lease().tenant.username  # a lease waiting for its tenant's signature
    login(page, manual_site, tenant)
    page.goto(manual_site + "/rent/leases/")
    expect(page.get_by_role("heading", name="我的租赁合同")).to_be_visible()
    journey.step("登录后打开“我的租赁合同”，待签署的合同会显示签约期限。点击“阅读并签署合同”。")

    page.get_by_role("link", name="阅读并签署合同").click()
    expect(page.get_by_role("heading", name="合同全文")).to_be_visible()
    journey.step("认真阅读合同全文（租金、租期、双方权利义务），可点击“查看 PDF”查看盖章的合同文件。")

    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator(".messages")).to_contain_text("验证码已发送")
    page.get_by_label("短信验证码").fill(last_code(tenant))
    page.get_by_label("我已完整阅读合同全部条款，同意签署").check()
    journey.step("点击“获取验证码”，输入短信收到的验证码，勾选“我已完整阅读合同全部条款，同意签署”。")

    page.get_by_role("button", name="确认签署").click()
    expect(page.locator("#lease-status")).to_have_text("已签约")
    journey.step("点击“确认签署”，合同状态变为“已签约”，页面显示签署时间。")
    journey.finish()


def test_applicant_rent(page, manual_site, simulated_bank, settings):
    from tests.conftest import PORTAL_ORIGIN

    settings.PORTAL_BASE_URL = PORTAL_ORIGIN
    simulated_bank.lose_notifications(all=True)  # it cannot reach http://portal.test; the return page asks
    back = []

    def bank(route):
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        if response.status == 303 and location.startswith(PORTAL_ORIGIN):
            back.append(location)
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body="<p>正在返回商户页面…</p>")
        else:
            route.fulfill(response=response)

    page.route(f"{simulated_bank.url}/**", bank)
    journey = Journey(
        page, role="applicant", service="rent", title="缴租", origin=manual_site,
        intro="承租人每月在“我的账单”中查看租金账单，选择一笔或多笔账单后跳转到银行页面在线支付；"
              "支付成功后账单立即更新，可下载电子收据。",
    )
    from rent.models import Bill

    bill = Bill.objects.filter(status="unpaid", lease__status="active").select_related("lease__tenant") \
        .order_by("lease__tenant__username", "period").first()
    assert bill is not None, "演示数据中没有未缴的账单"
    login(page, manual_site, bill.lease.tenant.username)
    page.goto(manual_site + "/rent/bills/")
    expect(page.get_by_role("heading", name="我的账单")).to_be_visible()
    page.locator("input[name=bill]").first.check()
    journey.step("登录后打开“我的账单”，勾选要缴纳的账单（可多选）。")

    page.get_by_role("button", name="缴纳所选账单").click()
    expect(page.get_by_role("heading", name="缴费订单")).to_be_visible()
    journey.step("点击“缴纳所选账单”，核对缴费订单的金额，点击“前往银行支付”。")

    page.get_by_role("link", name="前往银行支付").click()
    page.wait_for_url(re.compile(re.escape(simulated_bank.url) + r"/pay/"))
    page.get_by_role("button", name="支付成功").click()
    expect(page.get_by_text("正在返回商户页面")).to_be_visible()
    assert back, "银行没有返回平台"
    page.goto(back[0])
    expect(page.get_by_text("缴费成功，账单已更新")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("已支付")
    journey.step("在银行页面完成支付后自动返回平台，页面显示“缴费成功，账单已更新”，可下载电子收据（PDF）。")
    journey.finish()


def test_applicant_subsidy(page, manual_site):
    journey = Journey(
        page, role="applicant", service="subsidy", title="补贴", origin=manual_site,
        intro="领取租赁补贴的家庭，在“我的补贴”中查看补贴核算、每月发放记录，登记或更换市场租赁合同和收款银行账户。",
    )
    login(page, manual_site, "butie01")  # 赵建华
    page.goto(manual_site + "/subsidies/")
    expect(page.locator("h1")).to_have_text("我的补贴")
    expect(page.locator("main")).to_contain_text("发放")
    journey.step("登录后打开“我的补贴”，查看每月补贴金额的核算依据和发放记录（银行账号脱敏显示）。")

    page.get_by_role("link", name="更换银行账户").click()
    page.wait_for_load_state("load")
    expect(page.locator("h1")).to_contain_text("收款银行账户")
    journey.step("收款账户变更时点击“更换银行账户”，填写本人名下的银行账户；平台向银行核验户名后，下月起按新账户发放。")
    journey.finish()


def test_applicant_review(page, manual_site, manual_exchange):
    from tenancy.models import AnnualReview

    review = AnnualReview.objects.get(holder__username="butie01", status="opened")
    journey = Journey(
        page, role="applicant", service="review", title="年审", origin=manual_site,
        intro="保障家庭每年在规定期限内申报家庭情况（资格年审）。情况无变化的勾选“无变化”即可；"
              "平台向相关部门重新核验，经办人作出结论后通过短信和站内消息通知。",
    )
    login(page, manual_site, "butie01")
    page.goto(manual_site + "/tenancy/reviews/")
    expect(page.locator("h1")).to_have_text("我的资格年审")
    journey.step("登录后打开“我的资格年审”，列出本年度待申报的年审和申报期限。")

    page.get_by_role("link", name=f"{review.year} 年度资格年审").click()
    expect(page.get_by_role("heading", name=f"{review.year} 年度资格年审")).to_be_visible()
    page.get_by_label("无变化：家庭成员、收入、住房、车辆均与上次审核时相同").check()
    page.get_by_label("本人承诺所报情况真实", exact=False).check()
    journey.step("点击年审名称，选择“无变化”（有变化的如实填写变化情况），勾选承诺与授权。")

    page.get_by_role("button", name="提交年审申报").click()
    expect(page.locator("#review-status")).to_have_text("核验中")
    journey.step("点击“提交年审申报”，状态变为“核验中”：平台向相关部门核验，结论作出后通知您。")
    journey.finish()


def test_applicant_feedback(page, manual_site):
    journey = Journey(
        page, role="applicant", service="feedback", title="意见反馈", origin=manual_site,
        intro="可以网上提交咨询、建议、投诉和房屋报修，按时限答复；办结后可以对答复和服务评价。",
    )
    login(page, manual_site, "shenqingren")
    open_menu_link(page, "意见反馈")
    expect(page.locator("h1")).to_have_text("意见反馈")
    journey.step("登录后点击“菜单”→“意见反馈”，可以看到自己提交过的反馈和办理状态。")

    page.get_by_role("link", name="提交意见反馈").click()
    expect(page.get_by_role("heading", name="提交意见反馈")).to_be_visible()
    page.get_by_label("报修").check()
    page.get_by_label("类别").select_option(label="维修养护")
    page.get_by_label("具体内容").fill("卫生间水龙头漏水，关不严，请安排维修。")
    page.get_by_label("承办区县").select_option(label="萨尔图区")
    journey.step("点击“提交意见反馈”，选择类型（如“报修”）和类别，写明具体内容，可附照片。")

    page.get_by_role("button", name="提交").click()
    expect(page.locator("#feedback-status")).to_have_text("待答复")
    journey.step("点击“提交”，获得反馈编号，状态为“待答复”；答复后会收到短信和站内消息。")
    journey.finish()


def test_applicant_moveout(page, manual_site):
    from rent.models import Lease
    from tenancy.models import ExitCase

    username = demo_account("退租")  # an active lease with no exit case under way
    lease = Lease.objects.get(tenant__username=username, status="active")
    journey = Journey(
        page, role="applicant", service="moveout", title="退租", origin=manual_site,
        intro="不再需要公租房的承租人可以网上申请退租。经办人受理后约定腾退、验房，结清租金和押金后办结。",
    )
    login(page, manual_site, username)
    open_menu_link(page, "我的合同")
    expect(page.locator("h1")).to_have_text("我的租赁合同")
    expect(page.get_by_role("link", name=re.compile("^申请退租"))).to_have_count(1)
    journey.step("登录后点击“菜单”→“我的合同”。履行中、没有正在办理退出的合同下方有“申请退租”"
                 "（打开合同详情页也可以看到）。")

    click_and_wait(page.get_by_role("link", name=re.compile("^申请退租")))
    expect(page.locator("h1")).to_have_text("退租申请")
    expect(page.locator("main")).to_contain_text(lease.number)
    page.get_by_label("退租原因").fill("已购买商品住房，申请退租。")
    journey.step("点击“申请退租”，核对合同编号和房屋，写明退租原因。")

    click_and_wait(page.get_by_role("button", name="提交退租申请"))
    expect(page.locator("h1")).to_contain_text("退出事项")
    case = ExitCase.objects.get(lease=lease)
    expect(page.locator(".messages")).to_contain_text(f"退租申请已提交，编号 {case.number}")
    journey.step("点击“提交退租申请”，获得退出事项编号；经办人审核后通知您办理腾退、验房和押金结算，"
                 "押金退款账户在本页填写。合同下方的“申请退租”在退出办理期间不再显示。")
    journey.finish()
