"""操作手册 — 经办人篇, the money journeys (issue 18): 收租, 补贴发放 and 退出 walked in the Django admin with real
clicks, as the demo role that does each, on the demo data (`seed_demo`). The harness, the fixtures and the
helpers are test_caseworker_journeys.py's (one copy); each `journey.step` is one numbered step of the page
docs/manual/caseworker/<service>.md, its screenshot taken as the page is then and checked by axe-core.

A state the demo does not hold is made inside the test, through the real services, and said so where it
happens."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.manual.harness import click_and_wait
from tests.manual.test_caseworker_journeys import (
    alert_open,
    field,
    journey,
    log_out,
    login,
    success_message,
    tenancy_action_submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


# ------------------------------------------------------------------------------------------------ 收租


def test_caseworker_rent(page, manual_site):
    from rent.models import Bill, PaymentOrder

    # Who owes rent depends on the demo's draw: the earliest overdue bill of 萨尔图区.
    owing = (Bill.objects.filter(district__name="萨尔图区", due_on__lt=timezone.localdate())
             .exclude(status="paid").select_related("lease").order_by("due_on", "pk").first())
    assert owing is not None, "演示数据中没有逾期账单"
    wu = owing.lease
    due = owing.amount - owing.amount_paid
    paid = PaymentOrder.objects.filter(status="paid", lease__district__name="萨尔图区").exclude(bank_txn_id="").first()
    assert paid is not None, "演示数据中没有已支付的网上缴费订单"
    j = journey(page, manual_site, "rent", "收租", (
        "每月 1 日系统为每份履行中的合同生成租金账单，承租人在手机上缴费，银行通知到达后自动入账。"
        "区县经办人在“账单”中查看缴费情况，在窗口登记现金或 POS 刷卡缴费，每天导入银行对账单与平台记录核对"
        "（对不上的逐笔作出决定），并用“欠费账龄分析”跟进欠租家庭；累计欠租达到规定月数的，系统自动启动退出。"))
    login(page, manual_site, "saertu")
    click_and_wait(page.get_by_role("link", name="账单", exact=True))
    click_and_wait(page.locator("#changelist-filter").get_by_role("link", name="已逾期未缴清"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 3
    assert all(s in ("待缴", "部分缴纳") for s in page.locator("#result_list td.field-status").all_inner_texts())
    j.step("在“租金收缴”栏目点击“账单”，在右侧“逾期”中选择“已逾期未缴清”，列出本区县已过缴费截止日仍未缴清的账单。")

    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="缴费记录", exact=True))
    click_and_wait(page.locator("#content a.addlink"))
    assert page.locator("#content h1").inner_text() == "登记柜台缴费"
    # The lease is found by search among the district's leases (the admin's autocomplete), not in a list of all.
    page.locator("#id_lease + .select2 .select2-selection").click()
    with page.expect_response(lambda r: "/autocomplete/" in r.url
                              and parse_qs(urlsplit(r.url).query).get("term") == [wu.tenant_name]):
        page.locator(".select2-search__field").fill(wu.tenant_name)
    options = page.locator(".select2-results__option:not(.loading-results)")
    expect(options.filter(has_text=wu.number)).to_have_count(1)
    expect(options.filter(has_not_text=wu.tenant_name)).to_have_count(0)
    options.filter(has_text=wu.number).click()
    assert page.locator("#id_lease").input_value() == str(wu.pk)
    page.select_option("select[name=method]", label="现金")
    page.get_by_label("金额（元）").fill(str(due))
    page.get_by_label("收据号").fill("SEZ2026-001234")
    j.step("承租人到窗口缴费时：在“缴费记录”中点击“增加 缴费记录”（登记柜台缴费），在“租赁合同”中输入合同编号、"
           "承租人姓名或房号，从本辖区的合同中选中该户（在账单页面点击“登记柜台缴费”时合同已选好）；选择缴费方式，"
           "填写金额和所开纸质收据的编号（POS 刷卡的还要填签购单上的参考号），点击“登记缴费”。"
           "款项按账单由早到晚抵扣，多余部分转入预存余额。")
    click_and_wait(page.get_by_role("button", name="登记缴费"))
    assert success_message(page) == f"已登记柜台缴费 {due} 元，收据号 SEZ2026-001234。"
    owing.refresh_from_db()
    assert owing.status == "paid"

    # The bank's statement of the day: one line the platform already booked, one it never heard of.
    day = timezone.localdate()
    csv = ("交易日期,银行流水号,订单号,金额,状态\n"
           f"{day},{paid.bank_txn_id},{paid.order_no},{paid.amount},成功\n"
           f"{day},BK{day:%Y%m%d}0099,,50.00,成功\n").encode()
    page.goto(manual_site + "/admin/rent/statementimport/add/")
    page.select_option("select[name=district]", label="萨尔图区")
    page.set_input_files("input[type=file]", files=[{"name": f"statement-{day}.csv", "mimeType": "text/csv",
                                                      "buffer": csv}])
    j.step("每个工作日导入银行对账单：在“银行对账单”中点击“增加”，选择区县，上传银行提供的对账单文件"
           "（CSV 或 Excel，表头为：交易日期,银行流水号,订单号,金额,状态），点击“导入”。"
           "不上传文件、只填交易日期时，系统直接从银行获取当天的对账单。")
    click_and_wait(page.get_by_role("button", name="导入"))
    assert success_message(page) == f"已导入 {day} 对账单：对平 1 笔，未匹配 1 笔，金额不符 0 笔。"
    lines = page.locator(".inline-group", has=page.locator("h2:text('对账明细')"))
    assert lines.locator("tbody tr", has=page.locator("td.field-line_no")).count() == 2
    assert "平台无对应订单或缴费" in lines.inner_text()
    j.step("导入后页面列出每一笔明细：与平台记录一致的为“对平”，平台没有对应订单或金额不符的标出原因，"
           "在“处理”列点击“处理”逐笔决定“认定为租金入账”（选择所属合同，款项按欠缴账单由早到晚抵扣）或“不予入账”，"
           "并写明理由。")

    page.goto(manual_site + "/admin/rent/bill/")
    click_and_wait(page.get_by_role("link", name=re.compile("欠费账龄")))
    table = page.locator("#content table")
    assert "萨尔图区" in table.inner_text() and "合计" in table.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel（含逾期账单明细）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    j.step("在“账单”列表上方点击“欠费账龄分析”：按每户最早一期逾期账单的逾期时长分段统计户数和欠缴金额；"
           "点击“导出 Excel（含逾期账单明细）”下载明细，用于电话催缴和上门走访。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 补贴发放


def test_caseworker_subsidy(page, manual_site):
    from gongzufang.models import District
    from subsidies import services as subsidies
    from subsidies.models import SubsidyBatch

    month = timezone.localdate().replace(day=1)
    # The daily job (subsidies.tasks.make_due_batches) makes the month's batch on the batch day.
    report = subsidies.batch_make(district=District.objects.get(name="萨尔图区"), period=month)
    batch = SubsidyBatch.objects.get(pk=report.batch.pk)
    j = journey(page, manual_site, "subsidy", "补贴发放", (
        "租赁补贴按月发放。每月发放日系统为每个区县生成发放批次：每户补贴按核定的标准计算，"
        "上月发放失败、已更换账户的一并补发。批次经区县审核、市级复核后“出盘”，下载银行代发文件交银行发放，"
        "银行返回结果后导入，失败的（如账户已销户）通知承租人更换账户，次月自动补发。"
        "每一步都记录经办人、时间和意见。"))
    login(page, manual_site, "saertu")
    click_and_wait(page.get_by_role("link", name="发放批次", exact=True))
    row = page.locator("#result_list tbody tr", has_text=batch.number)
    assert "已生成，待区县审核" in row.inner_text()
    j.step("区县经办人：在“补贴发放”栏目点击“发放批次”，本月批次状态为“已生成，待区县审核”，"
           "列表显示笔数和金额合计。")

    click_and_wait(row.locator("th a"))
    page.locator("input[name=opinion]").first.fill("已逐户核对补贴标准和账户。")
    j.step("打开批次，核对每户的补贴金额（可点击“导出”下载明细核对），在“意见”中填写审核意见，点击“区县审核通过”。")
    click_and_wait(page.locator("#content input[type=submit][name^='_']").first)
    expect(page.locator("ul.messagelist")).to_be_visible()
    assert "区县已审核，待市级复核" in page.locator("#content").inner_text()
    log_out(page)

    login(page, manual_site, "shi")
    page.goto(manual_site + "/admin/subsidies/subsidybatch/")
    click_and_wait(page.locator("#result_list tbody tr", has_text=batch.number).locator("th a"))
    assert "区县已审核，待市级复核" in page.locator("#content").inner_text()
    page.locator("input[name=opinion]").first.fill("复核无误。")
    j.step("市级经办人：打开区县已审核的批次，复核后填写意见，点击“市级复核通过”。")
    click_and_wait(page.locator("#content input[type=submit][name^='_']").first)
    expect(page.locator("ul.messagelist")).to_be_visible()
    assert "市级已复核，待出盘" in page.locator("#content").inner_text()

    with page.expect_download() as download:
        page.get_by_role("button", name="出盘：下载银行代发文件（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.reload()
    assert "已出盘，待导入银行结果" in page.locator("#content").inner_text()
    j.step("复核通过后点击“出盘：下载银行代发文件（Excel）”（银行要求 CSV 的点击 CSV），把文件交银行代发。"
           "批次状态变为“已出盘，待导入银行结果”；银行返回结果文件后，在同一页面选择文件，点击“导入银行结果”。")
    j.finish()


# ------------------------------------------------------------------------------------------------ 退出


def test_caseworker_exit(page, manual_site, simulated_bank):
    from tenancy.models import ExitCase, MonitoringAlert

    alert = MonitoringAlert.objects.filter(status="open", district__name="萨尔图区").order_by("-pk").first()
    assert alert is not None, "演示数据中没有待处理的动态监管预警"
    moving = ExitCase.objects.filter(status="move_out", district__name="萨尔图区", lease__isnull=False).first()
    assert moving is not None, "演示数据中没有腾退期中的退出事项"
    if not moving.refund_account_no:
        # The tenant gives the account the deposit goes back to on the exit page (申请人篇“退租”): the settlement
        # refunds through the bank (the simulated one) and refuses without it.
        from gongzufang.bank.simulated import luhn_complete
        from tenancy.services import exit_refund_account

        exit_refund_account(case=moving, actor=moving.holder, account_name=moving.lease.tenant_name,
                            account_no=luhn_complete("621700202612010"))
    repair = min(Decimal("50.00"), (moving.lease.deposit / 2).quantize(Decimal("0.01")))  # some of it goes back
    assert repair > 0, "演示合同没有押金"
    j = journey(page, manual_site, "exit", "退出", (
        "承租家庭申请退租、年审结论为退出保障、累计欠租达到规定月数，或部门数据发现不再符合条件时，"
        "进入退出程序：立案后告知家庭并给予陈述申辩期，区县作出退出决定，家庭在腾退期内搬离（期间按合同租金计收，"
        "逾期按市场租金计收）；腾退时现场验房，抄录表底，结算押金（扣除欠费和损坏赔偿后退还），最后办结。"))
    login(page, manual_site, "saertu")
    alert_open(page, alert, resolution="启动退出", opinion="不动产登记部门数据显示该户已购买住房，启动退出。")
    j.step("立案：在“动态监管预警”中打开该户，核实变化后在“处理方式”中选择“启动退出”"
           "（退出理由可按变化类型自动确定），填写说明后点击“处理预警”。")
    tenancy_action_submit(page)
    alert.refresh_from_db()
    case = ExitCase.objects.get(pk=alert.exit_case_id)
    page.goto(manual_site + "/admin/")
    click_and_wait(page.get_by_role("link", name="退出事项", exact=True))
    assert page.locator("#result_list tbody tr", has_text=case.number).count() == 1
    j.step("点击“退出事项”：新立案的事项已在列表中。打开事项，按页面上方“办理”栏的按钮依次告知家庭、"
           "在陈述申辩期满后作出退出决定（“告知并给予陈述申辩期”“决定退出”）。")

    click_and_wait(page.locator("#result_list tbody tr", has_text=moving.number).locator("th a"))
    assert field(page, "状态") == "腾退期"
    inspect = page.locator("form.tenancy-action", has=page.locator("button[value=inspect]"))
    inspect.locator("input[name=condition]").fill("墙面有两处轻微污损，其余完好。")
    inspect.locator("input[name=damage]").fill("卧室墙面污损需粉刷")
    inspect.locator("input[name=water_meter]").fill("152.40")
    inspect.locator("input[name=electricity_meter]").fill("4180.5")
    j.step("验房：家庭腾退时到现场验房，打开处于“腾退期”的退出事项，填写验房日期、房屋状况、损坏情况和各表读数，"
           "点击“登记验房”。")
    click_and_wait(inspect.locator("button"))
    assert success_message(page) == "已办理。"
    assert field(page, "状态") == "已验房"

    settle = page.locator("form.tenancy-action", has=page.locator("button[value=settle]"))
    settle.locator("textarea[name=deductions]").fill(f"卧室墙面粉刷,{repair}")
    j.step("押金结算：在“扣除明细”中每行填写一项“项目,金额”（如损坏赔偿），点击“押金结算”，"
           "系统算出应退押金；扣除合计不能超过押金，超出部分另行追缴。")
    click_and_wait(settle.locator("button"))
    assert success_message(page) == "已办理。"
    assert field(page, "状态") == "已结算"
    assert "卧室墙面粉刷" in page.locator(".inline-group").first.inner_text()
    moving.refresh_from_db()
    refund = moving.lease.deposit - repair
    assert moving.deductions_total == repair and moving.refund_amount == refund
    assert field(page, "应退押金（元）") == str(refund)
    assert field(page, "押金退还（银行）") == f"{refund} 元 · 已退还"
    assert moving.lease.status == "terminated"
    j.step("结算后状态变为“已结算”，合同随之解除。应退押金由系统提交银行，退至承租人在退出页面填写的账户"
           "（“退款账户”，承租人未填写的不能结算）；“押金退还（银行）”显示金额和银行处理结果，"
           "退还失败的显示银行给出的原因，通知承租人更正账户。")
    click_and_wait(page.get_by_role("button", name=re.compile("办结")).first)
    assert success_message(page) == "已办理。"
    assert field(page, "状态") == "已办结"
    j.step("押金退还后点击“办结（房屋收回）”：状态变为“已办结”，房屋恢复为可配租，"
           "办理记录中保留每一步的经办人、时间和意见。")
    j.finish()
