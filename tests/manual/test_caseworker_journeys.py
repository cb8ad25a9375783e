"""操作手册 — 经办人篇 (issue 18): each caseworker service walked in the Django admin with real clicks, as the
demo role that does it, on the demo data (`seed_demo`). Every `journey.step` is one numbered step of the
manual page docs/manual/caseworker/<service>.md: its text is the instruction, the screenshot is taken as the
page is then, and axe-core checks that page in both viewports (harness.py). The assertions are what the
caseworker would notice on the screen: the message after a click, the status that changed, the row that
appeared.

A state the demo does not hold is made inside the test, through the real services, and said so where it
happens (a period that has run its course is moved back the way seed_demo itself does it)."""

import re

import pytest

from tests.manual.harness import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROLE = "caseworker"


def journey(page, origin, service, title, intro):
    return Journey(page, role=ROLE, service=service, title=title, intro=intro, origin=origin)


def success_message(page):
    """The green line Django's admin shows at the top after an action."""
    return page.locator("ul.messagelist li.success").inner_text()


def error_messages(page):
    return page.locator("ul.messagelist li.error").all_inner_texts()


def field(page, label):
    """The read-only value shown beside `label` on a change page (e.g. 状态)."""
    row = page.locator(".form-row", has=page.locator(f"label:text-is('{label}:')")).first
    return row.locator(".readonly").inner_text().strip()


def login(page, origin, username):
    """The admin's log-in form, as tests/manual/conftest.py's `login` fills it, then waiting until the 工作台 has
    really replaced the log-in page: on a loaded machine the click's navigation may not have started yet when
    the old page's load event is seen, and the helper then finds itself still on /admin/login/."""
    page.goto(origin + "/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("Daqing-2026")
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def log_out(page):
    page.locator("#logout-form button").click()
    page.wait_for_load_state("load")


def open_application(page, origin, number):
    page.goto(origin + "/admin/applications/application/")
    page.fill("#searchbar", number)
    page.locator("#changelist-search input[type=submit]").click()
    page.get_by_role("link", name=number, exact=True).click()
    page.wait_for_load_state("load")


# ------------------------------------------------------------------------------------------------ 受理


def test_caseworker_accept(page, manual_site):
    j = journey(page, manual_site, "accept", "受理", (
        "申请人在网上提交资格申请后，由申请所在街道（乡镇）的受理员核对申请材料。材料齐全的，点击“受理”，"
        "审核时限从受理之日起计算；材料不全的，用“退回补正”一次性告知申请人需要补正的全部内容，不得多次退回。"
        "待受理的申请始终排在列表最前面。本篇以萨尔图街道受理员（演示账号 saertu_jd）受理王丽的申请为例。"))
    page.goto(manual_site + "/admin/login/")
    page.fill("#id_username", "saertu_jd")
    page.fill("#id_password", "Daqing-2026")
    j.step("打开管理后台登录页，输入受理员账号和密码，点击“登录”。")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#site-name").inner_text().startswith("大庆市住房和城乡建设局")
    assert page.get_by_role("link", name="公租房申请", exact=True).is_visible()
    j.step("登录后进入“工作台”。受理与审核的工作都在“受理与审核”栏目下，点击“公租房申请”。")

    page.get_by_role("link", name="公租房申请", exact=True).click()
    page.wait_for_load_state("load")
    first = page.locator("#result_list tbody tr").first
    assert "待受理" in first.inner_text() and "王丽" in first.inner_text()
    # Only this street's applications: a street clerk never sees another street's.
    streets = set(page.locator("#result_list tbody td.field-street").all_inner_texts())
    assert streets == {"萨尔图区萨尔图街道"}
    j.step("列表只显示本街道的申请，“待受理”的排在最前面，其后按本环节期限排列（已逾期的在上）。"
           "点击申请编号打开王丽的申请。")

    first.locator("th a").click()
    page.wait_for_load_state("load")
    assert field(page, "状态") == "已提交，待受理"
    assert page.locator("#material_set-group, .inline-group").first.is_visible()
    assert "category_proof.png" in page.locator("body").inner_text()
    assert page.get_by_role("button", name="受理（材料齐全）").is_visible()
    assert page.get_by_role("link", name="退回补正（一次性告知）").is_visible()
    j.step("核对家庭成员、住房与资产情况和页面下方的申请材料（点击文件名可查看原件）。"
           "身份证号码和手机号已部分隐藏。")

    page.get_by_role("link", name="退回补正（一次性告知）").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("退回补正")
    j.step("材料不全时点击“退回补正（一次性告知）”：勾选需要补正的每一项并写明要求，一次提交。"
           "本例材料齐全，点击浏览器的“后退”返回申请页面。")
    page.go_back()
    page.wait_for_load_state("load")

    page.fill("#id_opinion", "材料齐全，予以受理。")
    j.step("材料齐全的，在“受理意见”中填写意见（可不填，最多 1000 字），点击“受理（材料齐全）”。")
    page.get_by_role("button", name="受理（材料齐全）").click()
    page.wait_for_load_state("load")
    assert re.fullmatch(r"申请 GZF\d+ 已受理。", success_message(page))
    assert field(page, "状态") == "已受理"
    assert field(page, "受理时间") != "-"
    assert "材料齐全，予以受理。" in page.locator("#applicationstatuschange_set-group, .inline-group").last.inner_text()
    j.step("页面上方显示“已受理”。状态变为“已受理”，“本环节期限”开始计算，“办理记录”中记下了受理人、时间和意见，"
           "申请人同时收到站内消息和短信。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 审核


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
    page.get_by_role("link", name="轮候家庭", exact=True).click()
    page.wait_for_load_state("load")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 10
    assert "低保/特困" in rows.first.inner_text()  # priority groups first
    assert page.locator("#changelist-filter").get_by_role("link", name="一般轮候家庭").count() == 1
    j.step("区县经办人：在工作台“其他”栏目点击“轮候家庭”，查看本区县的轮候名单："
           "按优先类别、优先顺位和取得资格日期排列，右侧可按轮候状态和优先类别筛选。")

    page.goto(manual_site + "/admin/")
    page.get_by_role("link", name="配租方案", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="增加 配租方案").click()
    page.wait_for_load_state("load")
    page.select_option("#id_district", label="萨尔图区")
    page.fill("#id_name", "2026年萨尔图区第三批公租房配租")
    j.step("点击“配租方案”，再点击“增加 配租方案”：选择区县，填写方案名称；可按户型、优先类别筛选，"
           "或限定参加家庭数（不填为全部符合条件的家庭）。点击“新建（草稿）”。")
    page.get_by_role("button", name="新建（草稿）").click()
    page.wait_for_load_state("load")
    made = re.fullmatch(r"已新建配租方案：(\d+) 套房源，(\d+) 户家庭。", success_message(page))
    assert made and int(made.group(1)) > 0 and int(made.group(2)) > 0, success_message(page)
    assert field(page, "方案状态") == "草稿"
    j.step(f"方案以草稿保存，页面显示纳入的房源套数和家庭户数（本例 {made.group(1)} 套房源、{made.group(2)} 户家庭）。"
           "核对无误后在“意见/原因”中填写说明，点击“发布（冻结名单）”。")

    page.fill("#id_opinion", "经局务会研究同意发布。")
    page.get_by_role("button", name="发布（冻结名单）").click()
    page.wait_for_load_state("load")
    assert success_message(page) == "已发布（冻结名单）。"
    assert field(page, "方案状态") == "已公布，待摇号"
    assert re.fullmatch(r"[0-9a-f]{64}", field(page, "名单哈希"))
    assert re.fullmatch(r"[0-9a-f]{64}", field(page, "种子承诺值"))
    j.step("发布后状态为“已公布，待摇号”，名单冻结，页面显示名单哈希和种子承诺值（同时在门户公示），"
           "此后名单和种子都不能再改。")

    page.fill("#id_public_entropy", "2026338 03 11 17 22 26 31 05")
    j.step("摇号当天，在“公开随机数”中填入当日公开的随机数（如福利彩票开奖号码，原样照录），"
           "点击“摇号（结果不可重新生成）”。")
    page.get_by_role("button", name="摇号（结果不可重新生成）").click()
    page.wait_for_load_state("load")
    assert success_message(page) == "已摇号，结果已在配租方案公示页公布。"
    assert field(page, "方案状态") == "已摇号"
    assert field(page, "公开随机数") == "2026338 03 11 17 22 26 31 05"
    entries = page.locator(".inline-group", has=page.locator("h2:text('参加家庭（摇号后按选房顺序）')"))
    assert entries.locator("tbody tr.has_original").count() == int(made.group(2))
    assert entries.locator("tbody tr.has_original").first.locator("td.field-position").inner_text().strip() == "1"
    j.step("摇号完成：状态变为“已摇号”，“参加家庭”按选房顺序排列，每户有选房批次和选房时间，"
           "家庭会收到选房时间的短信。")

    page.get_by_role("link", name="查看公示页").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(manual_site + "/allocation/rounds/")
    assert "2026338 03 11 17 22 26 31 05" in page.locator("main").inner_text()
    j.step("点击“查看公示页”，打开门户上的配租方案公示页：公众可以看到选房顺序（姓名部分隐藏）、"
           "公开随机数和种子，并可下载数据和验证程序自行复核摇号结果。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 合同


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
    page.get_by_role("link", name="动态监管预警", exact=True).click()
    page.wait_for_load_state("load")
    page.locator("#result_list tbody tr", has_text=alert.member_name).first.locator("th a, td a").first.click()
    page.wait_for_load_state("load")
    page.select_option("select[name=resolution]", label="启动复核（年审）")
    page.locator("textarea[name=opinion]").fill("民政部门数据显示家庭收入发生变化，启动年审核实。")
    j.step("开启年审：在“其他”栏目点击“动态监管预警”，打开部门数据发现变化的家庭，核对变化内容，"
           "在“处理方式”中选择“启动复核（年审）”，填写说明后点击“处理预警”。")
    page.locator("form.tenancy-action button").first.click()
    page.wait_for_load_state("load")
    assert success_message(page) == "已办理。"
    alert.refresh_from_db()
    assert alert.review_id is not None
    opened = AnnualReview.objects.get(pk=alert.review_id)

    page.goto(manual_site + "/admin/")
    page.get_by_role("link", name="资格年审", exact=True).click()
    page.wait_for_load_state("load")
    assert "待申报" in page.locator("#result_list tbody tr", has_text=opened.number).inner_text()
    j.step("点击“资格年审”：刚开启的年审已在队列中，状态为“待申报”，家庭收到申报通知。"
           "队列按截止日期排列，逾期未申报的在最前面。")

    page.locator("#result_list tbody tr", has_text=checking.number).locator("th a").click()
    page.wait_for_load_state("load")
    assert field(page, "状态") == "核验中"
    page.select_option("select[name=outcome]", label="继续保障")
    page.locator("form.tenancy-action textarea[name=opinion]").fill("家庭人口、收入和住房情况未发生影响保障资格的变化。")
    j.step("作出结论：打开“核验中”的年审，查看家庭申报的变化和部门核验结果，选择年审结论"
           "（结论为“退出保障”时同时选择退出理由，“调整保障”时填写调整后的租金系数），填写意见后点击“作出年审结论”。")
    page.locator("form.tenancy-action button").first.click()
    page.wait_for_load_state("load")
    assert success_message(page) == "已办理。"
    assert field(page, "状态") == "已作出结论"
    assert field(page, "年审结论") == "继续保障"
    j.step("页面提示“已办理”，状态变为“已作出结论”，家庭收到年审结论的站内消息和短信；"
           "结论为“退出保障”的，系统自动启动退出（见“退出”篇）。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 退出


def test_caseworker_statistics(page, manual_site):
    j = journey(page, manual_site, "statistics", "统计", (
        "“统计分析”汇总受理审核、轮候配租、租金收缴、补贴发放、年审退出和意见反馈的主要指标，"
        "可按月度、季度、年度或自定义期间和区县查询：市级看全市和各区县对比，区县只看本区县。"
        "每张图旁边都有同样数字的表格，每张表都可以下载 Excel，口径说明在页面末尾。"))
    login(page, manual_site, "shi")
    page.get_by_role("link", name="统计分析").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(manual_site + "/admin/statistics/")
    page.wait_for_selector("[data-chart=trend] canvas", timeout=15000)
    assert "全市" in page.locator("#stat-scope").inner_text()
    j.step("市级经办人：点击页面顶部的“统计分析”。默认显示全市本年的主要指标，下面是逐月趋势、区县对比、"
           "办理用时分布等图表。")

    page.select_option("#id_period", "year")
    page.locator(".gzf-stat-form input[type=submit]").click()
    page.wait_for_load_state("load")
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
