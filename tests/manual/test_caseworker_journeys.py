"""操作手册 — 经办人篇 (issue 18): each caseworker service walked in the Django admin with real clicks, as the
demo role that does it, on the demo data (`seed_demo`). Every `journey.step` is one numbered step of the
manual page docs/manual/caseworker/<service>.md: its text is the instruction, the screenshot is taken as the
page is then, and axe-core checks that page in both viewports (harness.py). The assertions are what the
caseworker would notice on the screen: the message after a click, the status that changed, the row that
appeared.

A state the demo does not hold is made inside the test, through the real services, and said so where it
happens (a period that has run its course is moved back the way seed_demo itself does it)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.manual.harness import Journey, click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROLE = "caseworker"

def journey(page, origin, service, title, intro):
    return Journey(page, role=ROLE, service=service, title=title, intro=intro, origin=origin)


def success_message(page):
    """The green line Django's admin shows at the top after an action."""
    return page.locator("ul.messagelist li.success").inner_text()


def error_messages(page):
    """The red lines (messages) and error notes (a form that did not validate) the page shows."""
    return page.locator("ul.messagelist li.error, .errornote, ul.errorlist li").all_inner_texts()


def field(page, label):
    """The read-only value shown beside `label` on a change page (e.g. 状态)."""
    row = page.locator(".form-row", has=page.locator(f"label:text-is('{label}:')")).first
    return row.locator(".readonly").inner_text().strip()


def login(page, origin, username):
    """The admin's log-in form, as tests/manual/conftest.py's `login` fills it; returns on the 工作台, once the
    log-in's redirect has landed (harness.click_and_wait)."""
    page.goto(origin + "/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("Daqing-2026")
    click_and_wait(page.locator("input[type=submit]"))
    assert page.url.endswith("/admin/"), f"{username} 未能登录管理后台：{error_messages(page)}"


def log_out(page):
    click_and_wait(page.locator("#logout-form button"))


def open_application(page, origin, number):
    """Search the application list by number and open the application (the search's page, not the list's)."""
    page.goto(origin + "/admin/applications/application/")
    page.fill("#searchbar", number)
    click_and_wait(page.locator("#changelist-search input[type=submit]"))
    click_and_wait(page.locator("#result_list").get_by_role("link", name=number, exact=True))


# ------------------------------------------------------------------------------------------------ 受理


def alert_open(page, alert, *, resolution, opinion):
    """From the admin's home: 动态监管预警 → the household's alert, its resolution chosen and explained."""
    click_and_wait(page.get_by_role("link", name="动态监管预警", exact=True))
    click_and_wait(page.locator("#result_list tbody tr", has_text=alert.member_name).first.locator("th a, td a").first)
    page.select_option("select[name=resolution]", label=resolution)
    page.locator("textarea[name=opinion]").fill(opinion)


def tenancy_action_submit(page):
    """The tenancy page's action button (处理预警, 作出年审结论 …), and the admin says it was done."""
    click_and_wait(page.locator("form.tenancy-action button").first)
    assert success_message(page) == "已办理。"


def test_caseworker_accept(page, manual_site):
    j = journey(page, manual_site, "accept", "受理", (
        "申请人在网上提交资格申请后，由申请所在街道（乡镇）的受理员核对申请材料。材料齐全的，点击“受理”，"
        "审核时限从受理之日起计算；材料不全的，用“退回补正”一次性告知申请人需要补正的全部内容，不得多次退回。"
        "待受理的申请始终排在列表最前面。本篇以萨尔图街道受理员（演示账号 saertu_jd）受理王丽的申请为例。"))
    page.goto(manual_site + "/admin/login/")
    page.fill("#id_username", "saertu_jd")
    page.fill("#id_password", "Daqing-2026")
    j.step("打开管理后台登录页，输入受理员账号和密码，点击“登录”。")
    click_and_wait(page.locator("input[type=submit]"))
    assert page.locator("#site-name").inner_text().startswith("大庆市住房和城乡建设局")
    assert page.get_by_role("link", name="公租房申请", exact=True).is_visible()
    j.step("登录后进入“工作台”。受理与审核的工作都在“受理与审核”栏目下，点击“公租房申请”。")

    click_and_wait(page.get_by_role("link", name="公租房申请", exact=True))
    first = page.locator("#result_list tbody tr").first
    assert "待受理" in first.inner_text() and "王丽" in first.inner_text()
    # Only this street's applications: a street clerk never sees another street's.
    streets = set(page.locator("#result_list tbody td.field-street").all_inner_texts())
    assert streets == {"萨尔图区萨尔图街道"}
    j.step("列表只显示本街道的申请，“待受理”的排在最前面，其后按本环节期限排列（已逾期的在上）。"
           "点击申请编号打开王丽的申请。")

    click_and_wait(first.locator("th a"))
    assert field(page, "状态") == "已提交，待受理"
    assert page.locator("#material_set-group, .inline-group").first.is_visible()
    assert "category_proof.png" in page.locator("body").inner_text()
    assert page.get_by_role("button", name="受理（材料齐全）").is_visible()
    assert page.get_by_role("link", name="退回补正（一次性告知）").is_visible()
    j.step("核对家庭成员、住房与资产情况和页面下方的申请材料（点击文件名可查看原件）。"
           "身份证号码和手机号已部分隐藏。")

    click_and_wait(page.get_by_role("link", name="退回补正（一次性告知）"))
    assert page.locator("h1").inner_text().startswith("退回补正")
    j.step("材料不全时点击“退回补正（一次性告知）”：勾选需要补正的每一项并写明要求，一次提交。"
           "本例材料齐全，点击浏览器的“后退”返回申请页面。")
    page.go_back(wait_until="load")

    page.fill("#id_opinion", "材料齐全，予以受理。")
    j.step("材料齐全的，在“受理意见”中填写意见（可不填，最多 1000 字），点击“受理（材料齐全）”。")
    click_and_wait(page.get_by_role("button", name="受理（材料齐全）"))
    assert re.fullmatch(r"申请 GZF\d+ 已受理。", success_message(page))
    assert field(page, "状态") == "已受理"
    assert field(page, "受理时间") != "-"
    assert "材料齐全，予以受理。" in page.locator("#applicationstatuschange_set-group, .inline-group").last.inner_text()
    j.step("页面上方显示“已受理”。状态变为“已受理”，“本环节期限”开始计算，“办理记录”中记下了受理人、时间和意见，"
           "申请人同时收到站内消息和短信。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 审核


def test_caseworker_review(page, manual_site):
    from applications.models import Application

    zhang = Application.objects.get(applicant__phone="13800000011").number  # 张伟: 已受理
    lin = Application.objects.get(applicant__phone="13800000012").number  # 林晓: 区县审核
    liu = Application.objects.get(applicant__phone="13800000019").number  # 刘建国: 公示期满 → 市级复核
    j = journey(page, manual_site, "review", "审核", (
        "受理后的申请依次经过三级审核：街道初审（核对申请信息与材料），提交部门联审（公安、不动产、民政、税务等部门"
        "数据由系统自动比对，结果逐条列在申请页面），区县审核（依据联审结果和资格规则作出通过或不通过的决定），"
        "公示期满后由市级复核。每一级只能看到并办理本辖区、本环节的申请，按钮由系统根据环节和权限给出；"
        "不通过必须写明理由，申请人会收到通知并可申请复核。"))

    login(page, manual_site, "saertu_jd")
    open_application(page, manual_site, zhang)
    assert field(page, "状态") == "已受理"
    click_and_wait(page.get_by_role("button", name="开始初审"))
    assert field(page, "状态") == "街道初审"
    assert page.get_by_role("button", name="初审通过，提交部门联审").is_visible()
    j.step("街道受理员：打开已受理的申请（可在列表上方按申请编号、姓名或手机号搜索），点击“开始初审”。"
           "状态变为“街道初审”，页面上方的“办理”栏给出本环节可做的决定。")

    page.fill("#id_review_opinion", "家庭成员、收入、住房情况与材料一致。")
    click_and_wait(page.get_by_role("button", name="初审通过，提交部门联审"))
    assert "初审通过，提交部门联审，已记录并通知申请人" in success_message(page)
    assert field(page, "状态") in ("部门联审", "区县审核")
    j.step("核对无误后填写审核意见，点击“初审通过，提交部门联审”。系统随即向各部门查询，"
           "结果返回后申请自动进入“区县审核”。")
    log_out(page)

    login(page, manual_site, "saertu")
    open_application(page, manual_site, lin)
    assert field(page, "状态") == "区县审核"
    checks = page.locator(".inline-group", has=page.locator("h2:text('部门联审结果（当前）')"))
    assert checks.locator("tbody tr").count() >= 5
    assert "查询成功" in checks.inner_text()
    checks.scroll_into_view_if_needed()
    j.step("区县经办人：打开“区县审核”的申请，查看“部门联审结果（当前）”（每个部门的查询情况和规则判定并列显示）"
           "和“资格规则评估”的逐条结果。部门无法核验的，可点击“重新核验部门数据”下的部门名称再次查询。")

    page.fill("#id_review_opinion", "部门联审各项符合，同意进入公示。")
    click_and_wait(page.get_by_role("button", name="区县审核通过，进入公示"))
    assert "区县审核通过，进入公示，已记录并通知申请人" in success_message(page)
    assert field(page, "状态") == "公示"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}", field(page, "公示期"))
    j.step("符合条件的，填写意见后点击“区县审核通过，进入公示”：状态变为“公示”，公示期自动计算（自次日起），"
           "申请从公示首日起出现在门户的公示页面。不符合的点击红色的“不通过”，必须在审核意见中写明理由。")
    log_out(page)

    login(page, manual_site, "shi")
    click_and_wait(page.get_by_role("link", name="公租房申请", exact=True))
    click_and_wait(page.locator("#changelist-filter").get_by_role("link", name="市级复核", exact=True))
    row = page.locator("#result_list tbody tr", has_text=liu)
    assert row.count() == 1 and "市级复核" in row.inner_text()
    assert set(page.locator("#result_list td.field-status").all_inner_texts()) == {"市级复核"}
    j.step("市级经办人：点击“公租房申请”，在列表右侧的“过滤器”中选择状态“市级复核”，列出公示期满、等待复核的申请。")

    click_and_wait(row.locator("th a"))
    assert "公示期满，无异议" in page.locator(".inline-group", has=page.locator("h2:text('办理记录')")).inner_text()
    page.fill("#id_review_opinion", "复核通过。")
    click_and_wait(page.get_by_role("button", name="市级复核通过"))
    assert "已记录并通知申请人" in success_message(page)
    assert field(page, "状态") == "审核通过"
    j.step("打开申请，确认“办理记录”中公示期满、无异议，填写意见后点击“市级复核通过”：状态变为“审核通过”，"
           "家庭进入轮候，申请人收到资格确认通知。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 公示


def test_caseworker_notice(page, manual_site):

    from applications.models import Application

    luo = Application.objects.get(applicant__phone="13800000016")
    # seed_demo shows her notice running today (its first day moved back: a notice starts the day after approval)
    assert luo.status == "public_notice" and luo.notice_starts_on < timezone.localdate() <= luo.notice_ends_on
    j = journey(page, manual_site, "notice", "公示", (
        "区县审核通过的申请自次日起在门户“公示”页面向社会公示（姓名和身份证号码部分隐藏），"
        "公示期内任何人都可以在公示详情页提出异议。区县经办人在“公示异议”中逐条核查并写明处理意见；"
        "异议全部处理完毕且公示期满后，申请提交市级复核（每天由系统自动提交，也可在申请列表中手工提交）。"
        "异议成立的，应在申请页面作出“不通过”决定。本篇以龙凤区经办人（演示账号 longfeng）处理罗兰一户的公示为例。"))

    login(page, manual_site, "longfeng")
    click_and_wait(page.get_by_role("link", name="公租房申请", exact=True))
    click_and_wait(page.locator("#changelist-filter").get_by_role("link", name="公示", exact=True))
    row = page.locator("#result_list tbody tr", has_text=luo.number)
    assert row.count() == 1 and "公示" in row.inner_text()
    j.step("区县经办人：点击“公租房申请”，在列表右侧的“过滤器”中选择状态“公示”，查看正在公示的申请。")

    page.goto(manual_site + "/notice/")
    page.get_by_label("申请编号").fill(luo.number)
    click_and_wait(page.get_by_role("button", name="查询"))
    card = page.locator(".notice-list li", has=page.get_by_role("link", name=luo.number, exact=True))
    assert card.count() == 1
    assert "罗兰" not in page.locator("main").inner_text()  # the name is masked on the public page
    assert "罗*" in card.inner_text()
    j.step("门户的“公示”页面（首页“信息浏览”中）就是公众看到的公示名单，可按申请编号或区县查找："
           "申请人姓名和身份证号码已部分隐藏，每户列出家庭人口、保障方式和公示期。")

    click_and_wait(card.get_by_role("link", name=luo.number, exact=True))
    page.get_by_label("异议人").fill("王先生")
    page.get_by_label("联系方式").fill("13900001111")
    page.get_by_label("异议内容").fill("据了解该户在让胡路区另有一套住房，请核实。")
    j.step("点击申请编号打开公示详情页，公众在“提出异议”中填写异议人姓名、联系方式和异议内容，点击“提交异议”。"
           "异议即时转到申请所在区县，提交人的姓名和联系方式不公开。")
    click_and_wait(page.get_by_role("button", name="提交异议"))
    assert "您的异议已提交" in page.locator("main").inner_text()

    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="公示异议", exact=True))
    row = page.locator("#result_list tbody tr", has_text=luo.number).first
    assert "待处理" in row.inner_text()
    j.step("回到管理后台，在工作台点击“公示异议”：待处理的异议排在最前面，列表显示公示截止日期。")

    click_and_wait(row.locator("th a").first)
    click_and_wait(page.get_by_role("link", name="处理异议"))
    assert "据了解该户在让胡路区另有一套住房" in page.locator("#content").inner_text()
    page.get_by_label("异议不成立").check()
    page.get_by_label("处理意见").fill(
        "经不动产登记部门查询，该户家庭成员名下无住房，异议反映的房屋为亲属所有。异议不成立。")
    j.step("打开异议，点击“处理异议”：核查后选择“异议不成立”或“异议成立”，在“处理意见”中写明核查经过和结论"
           "（将记入审核表），点击“提交处理结果”。")
    click_and_wait(page.get_by_role("button", name="提交处理结果"))
    assert success_message(page) == f"申请 {luo.number} 的异议已处理。异议不成立。"
    assert "异议不成立" in page.locator("#content").inner_text()

    # The notice period runs its course (moved back the way seed_demo does it).
    Application.objects.filter(pk=luo.pk).update(notice_ends_on=timezone.localdate() - timedelta(days=1))
    page.goto(manual_site + "/admin/applications/application/?status__exact=public_notice")
    row = page.locator("#result_list tbody tr", has_text=luo.number)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", label="公示期满的申请提交市级复核")
    j.step("公示期满后，在申请列表中勾选要提交的申请，在“动作”中选择“公示期满的申请提交市级复核”，点击“执行”。"
           "公示未满或还有未处理异议的，系统会拒绝并说明原因。")
    click_and_wait(page.get_by_role("button", name="执行"))
    assert success_message(page) == "1 件申请已提交市级复核。"
    luo.refresh_from_db()
    assert luo.status == "city_review"
    page.goto(manual_site + "/admin/applications/application/?status__exact=city_review")
    assert page.locator("#result_list tbody tr", has_text=luo.number).count() == 1
    j.step("页面提示“1 件申请已提交市级复核”，申请转入市级复核（见“审核”篇）。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 配租与摇号


def test_caseworker_allocation(page, manual_site):
    from applications.models import Application
    from applications.review import services as review
    from gongzufang.models import User

    # Every household waiting in 萨尔图区 is already in the demo's published round: 刘建国 (市级复核) is approved
    # now (as in the 审核 journey) and joins the waitlist, so the new round has a household to draw.
    review.city_approve(application=Application.objects.get(applicant__phone="13800000019"),
                        actor=User.objects.get(username="shi"), opinion="复核通过。")
    j = journey(page, manual_site, "allocation", "配租与摇号", (
        "审核通过的家庭按优先类别和取得资格的先后进入轮候。区县经办人用“配租方案”把本区县已发布、空置的房源"
        "与轮候家庭组成一批：新建时是草稿，发布后名单冻结并公布名单哈希和种子承诺值；摇号当天填入公开随机数"
        "（如当日福利彩票开奖号码）后摇号，选房顺序由系统按公开算法生成，结果不可重新生成，"
        "任何人都可以在门户的配租方案公示页下载数据自行验证。"))
    login(page, manual_site, "saertu")
    click_and_wait(page.get_by_role("link", name="轮候家庭", exact=True))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 10
    assert "低保/特困" in rows.first.inner_text()  # priority groups first
    assert page.locator("#changelist-filter").get_by_role("link", name="一般轮候家庭").count() == 1
    j.step("区县经办人：在工作台“其他”栏目点击“轮候家庭”，查看本区县的轮候名单："
           "按优先类别、优先顺位和取得资格日期排列，右侧可按轮候状态和优先类别筛选。")

    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="配租方案", exact=True))
    click_and_wait(page.get_by_role("link", name="增加 配租方案"))
    page.select_option("#id_district", label="萨尔图区")
    page.fill("#id_name", "2026年萨尔图区第三批公租房配租")
    j.step("点击“配租方案”，再点击“增加 配租方案”：选择区县，填写方案名称；可按户型、优先类别筛选，"
           "或限定参加家庭数（不填为全部符合条件的家庭）。点击“新建（草稿）”。")
    click_and_wait(page.get_by_role("button", name="新建（草稿）"))
    made = re.fullmatch(r"已新建配租方案：(\d+) 套房源，(\d+) 户家庭。", success_message(page))
    assert made and int(made.group(1)) > 0 and int(made.group(2)) > 0, success_message(page)
    assert field(page, "方案状态") == "草稿"
    j.step(f"方案以草稿保存，页面显示纳入的房源套数和家庭户数（本例 {made.group(1)} 套房源、{made.group(2)} 户家庭）。"
           "核对无误后在“意见/原因”中填写说明，点击“发布（冻结名单）”。")

    page.fill("#id_opinion", "经局务会研究同意发布。")
    click_and_wait(page.get_by_role("button", name="发布（冻结名单）"))
    assert success_message(page) == "已发布（冻结名单）。"
    assert field(page, "方案状态") == "已公布，待摇号"
    assert re.fullmatch(r"[0-9a-f]{64}", field(page, "名单哈希"))
    assert re.fullmatch(r"[0-9a-f]{64}", field(page, "种子承诺值"))
    j.step("发布后状态为“已公布，待摇号”，名单冻结，页面显示名单哈希和种子承诺值（同时在门户公示），"
           "此后名单和种子都不能再改。")

    page.fill("#id_public_entropy", "2026338 03 11 17 22 26 31 05")
    j.step("摇号当天，在“公开随机数”中填入当日公开的随机数（如福利彩票开奖号码，原样照录），"
           "点击“摇号（结果不可重新生成）”。")
    click_and_wait(page.get_by_role("button", name="摇号（结果不可重新生成）"))
    assert success_message(page) == "已摇号，结果已在配租方案公示页公布。"
    assert field(page, "方案状态") == "已摇号"
    assert field(page, "公开随机数") == "2026338 03 11 17 22 26 31 05"
    entries = page.locator(".inline-group", has=page.locator("h2:text('参加家庭（摇号后按选房顺序）')"))
    assert entries.locator("tbody tr.has_original").count() == int(made.group(2))
    assert entries.locator("tbody tr.has_original").first.locator("td.field-position").inner_text().strip() == "1"
    j.step("摇号完成：状态变为“已摇号”，“参加家庭”按选房顺序排列，每户有选房批次和选房时间，"
           "家庭会收到选房时间的短信。")

    click_and_wait(page.get_by_role("link", name="查看公示页"))
    assert page.url.startswith(manual_site + "/allocation/rounds/")
    assert "2026338 03 11 17 22 26 31 05" in page.locator("main").inner_text()
    j.step("点击“查看公示页”，打开门户上的配租方案公示页：公众可以看到选房顺序（姓名部分隐藏）、"
           "公开随机数和种子，并可下载数据和验证程序自行复核摇号结果。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 合同


def test_caseworker_lease(page, manual_site):
    from allocation.models import AllocationRound, RoundEntry
    from rent.leases import services as lease_services
    from rent.models import Lease
    from tests.rent.builders import sign

    waiting = next((e for e in RoundEntry.objects.filter(
        round__status=AllocationRound.Status.DRAWN, round__district__name="萨尔图区", offers__isnull=True)
        .select_related("round").order_by("round_id", "draw__position")
        if e.window_opens_at and e.window_opens_at <= timezone.now()), None)
    assert waiting is not None, "演示数据中没有可现场选房的家庭"
    drawn = waiting.round
    j = journey(page, manual_site, "lease", "合同", (
        "家庭选定房屋（网上选房或在窗口现场选房）后，系统每 5 分钟为新的选房结果生成加盖电子签章的租赁合同，"
        "承租人在手机上阅读合同并用短信验证码签约。签约后，区县经办人与承租人在现场办理入住交接："
        "清点钥匙和门禁卡，抄录水、电、燃气表读数，逐项记录房屋及设施状况并拍照，确认后合同开始履行，"
        "次月起按月生成租金账单。"))
    login(page, manual_site, "saertu")
    click_and_wait(page.get_by_role("link", name="选房结果", exact=True))
    click_and_wait(page.locator("a.addlink", has_text="现场选房"))
    page.select_option("#id_round", label=drawn.name)
    page.fill("#id_ref", waiting.ref)
    click_and_wait(page.get_by_role("button", name="查找家庭"))
    assert waiting.ref in page.locator("#content h2").first.inner_text()
    page.locator("input[name=unit]").first.check()
    j.step("家庭到窗口选房时：在“选房结果”中点击“现场选房”，选择已摇号的配租方案，输入轮候编号，点击“查找家庭”，"
           "列表只显示适合该家庭户型的剩余房屋。选中一套房屋，点击“代为选定（现场选房）”。")
    click_and_wait(page.get_by_role("button", name="代为选定（现场选房）"))
    assert page.locator("ul.messagelist li.success").count() == 1, error_messages(page)
    assert success_message(page).startswith(f"已为轮候家庭 {waiting.ref} 现场选定")

    # The five-minute job (rent.tasks.leases_prepare) makes the contract for the new offer.
    assert lease_services.leases_prepare_for_held_offers() == 1
    lease = Lease.objects.get(offer__round_entry=waiting)
    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="租赁合同", exact=True))
    row = page.locator("#result_list tbody tr", has_text=lease.number)
    assert "待签约" in row.inner_text()
    j.step("选房后几分钟内，新合同出现在“租赁合同”列表中，状态为“待签约”，承租人同时收到签约通知。")

    click_and_wait(row.locator("th a"))
    assert field(page, "合同状态") == "待签约"
    assert page.get_by_role("link", name="办理入住交接").count() == 0  # not before the tenant signs
    j.step("打开合同可核对房屋、租金、租期，并查看加盖电子签章的合同文件。承租人签约前不能办理入住交接。")

    sign(lease)  # the tenant signs on the phone with the SMS code (申请人篇“签约”)
    page.reload(wait_until="load")
    assert field(page, "合同状态") == "已签约"
    click_and_wait(page.get_by_role("link", name="办理入住交接"))
    assert page.get_by_label("交接日期").input_value() == timezone.localdate().isoformat()
    page.get_by_label("钥匙（把）").fill("3")
    page.get_by_label("门禁卡（张）").fill("2")
    page.get_by_label("水表读数（吨）").fill("125.30")
    page.get_by_label("电表读数（度）").fill("3562.0")
    page.get_by_label("燃气表读数（㎥）").fill("418.75")
    page.get_by_label("房屋及设施状况").fill("墙面、地面完好；门窗齐全；厨卫设施完好；配备燃气灶、热水器各一台。")
    j.step("承租人签约后，合同状态变为“已签约”，页面右上方出现“办理入住交接”。到现场清点交接，"
           "交接日期默认为当天；填写钥匙、门禁卡数量和各表读数，逐项记录房屋及设施状况，可上传交接照片，点击“确认交接”。")
    click_and_wait(page.get_by_role("button", name="确认交接"))
    assert page.locator("ul.messagelist li.success").count() == 1, error_messages(page)
    assert success_message(page) == f"已办理入住交接，合同 {lease.number} 开始履行。"
    assert field(page, "合同状态") == "履行中"
    j.step("页面提示合同开始履行，状态变为“履行中”；交接记录保存在合同页面，退租验房时作为对照。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 年审


def test_caseworker_annual(page, manual_site):
    from tenancy.models import AnnualReview, MonitoringAlert

    alert = MonitoringAlert.objects.filter(status="open", district__name="萨尔图区").order_by("pk").first()
    checking = AnnualReview.objects.filter(status="checking", district__name="萨尔图区").order_by("pk").first()
    assert alert is not None and checking is not None, "演示数据中没有待处理的预警或核验中的年审"
    j = journey(page, manual_site, "annual", "年审", (
        "公租房承租家庭和租赁补贴家庭每年审核一次保障资格：系统在合同（或补贴）周年日前 30 天自动开启年审，"
        "通知家庭在手机上申报家庭变化，并向各部门重新核验。部门数据发现变化（动态监管预警）时，"
        "区县经办人也可以随时为该户启动年审。核验完成后，区县经办人作出“继续保障”“调整保障”或“退出保障”的结论，"
        "家庭收到结论通知；逾期未申报的列在最前面。"))
    login(page, manual_site, "saertu")
    alert_open(page, alert, resolution="启动复核（年审）", opinion="民政部门数据显示家庭收入发生变化，启动年审核实。")
    j.step("开启年审：在“其他”栏目点击“动态监管预警”，打开部门数据发现变化的家庭，核对变化内容，"
           "在“处理方式”中选择“启动复核（年审）”，填写说明后点击“处理预警”。")
    tenancy_action_submit(page)
    alert.refresh_from_db()
    assert alert.review_id is not None
    opened = AnnualReview.objects.get(pk=alert.review_id)

    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="资格年审", exact=True))
    assert "待申报" in page.locator("#result_list tbody tr", has_text=opened.number).inner_text()
    j.step("点击“资格年审”：刚开启的年审已在队列中，状态为“待申报”，家庭收到申报通知。"
           "队列按截止日期排列，逾期未申报的在最前面。")

    click_and_wait(page.locator("#result_list tbody tr", has_text=checking.number).locator("th a"))
    assert field(page, "状态") == "核验中"
    page.select_option("select[name=outcome]", label="继续保障")
    page.locator("form.tenancy-action textarea[name=opinion]").fill("家庭人口、收入和住房情况未发生影响保障资格的变化。")
    j.step("作出结论：打开“核验中”的年审，查看家庭申报的变化和部门核验结果，选择年审结论"
           "（结论为“退出保障”时同时选择退出理由，“调整保障”时填写调整后的租金系数），填写意见后点击“作出年审结论”。")
    tenancy_action_submit(page)
    assert field(page, "状态") == "已作出结论"
    assert field(page, "年审结论") == "继续保障"
    j.step("页面提示“已办理”，状态变为“已作出结论”，家庭收到年审结论的站内消息和短信；"
           "结论为“退出保障”的，系统自动启动退出（见“退出”篇）。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 统计


def test_caseworker_statistics(page, manual_site):
    j = journey(page, manual_site, "statistics", "统计", (
        "“统计分析”汇总受理审核、轮候配租、租金收缴、补贴发放、年审退出和意见反馈的主要指标，"
        "可按月度、季度、年度或自定义期间和区县查询：市级看全市和各区县对比，区县只看本区县。"
        "每张图旁边都有同样数字的表格，每张表都可以下载 Excel，口径说明在页面末尾。"))
    login(page, manual_site, "shi")
    click_and_wait(page.get_by_role("link", name="统计分析"))
    assert page.url.startswith(manual_site + "/admin/statistics/")
    page.wait_for_selector("[data-chart=trend] canvas", timeout=15000)
    assert "全市" in page.locator("#stat-scope").inner_text()
    j.step("市级经办人：点击页面顶部的“统计分析”。默认显示全市本年的主要指标，下面是逐月趋势、区县对比、"
           "办理用时分布等图表。")

    page.select_option("#id_period", "year")
    click_and_wait(page.locator(".gzf-stat-form input[type=submit]"))
    page.wait_for_selector("[data-chart=trend] canvas", timeout=15000)
    trend = page.locator("#h-trend").locator("xpath=..")
    assert trend.locator("table tbody tr").count() == 12
    trend.scroll_into_view_if_needed()
    j.step("在“统计期间与区县”中选择期间类型、年份和区县，点击“查询”。每张图的右侧是同样数字的表格"
           "（逐月趋势为 12 个月），读屏软件用户可直接读表格。")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载全部（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    j.step("点击期间说明后的“下载全部（Excel）”下载本页所有表格；“办理用时分布”下方可下载逐件明细的 Excel。")
    j.finish()
