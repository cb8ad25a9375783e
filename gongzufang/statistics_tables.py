"""The statistics report as tables: one `Table` per chart, the same object rendered as the HTML table beside
the chart, as the chart's JSON (`chart_data`) and as the Excel sheet (gongzufang/dashboard/excel.py), so
the three always carry the same numbers.

A figure without a source yet (`None`) is shown as "暂无数据" — in the page, the chart's table and the
Excel file alike — never as 0.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from gongzufang.statistics import Summary, Trend

NO_DATA = "暂无数据"

# (name on Figures, label, unit). The nine figures of DESIGN §11 first, in the city's order.
BUREAU_FIGURES = [
    ("visits", "访问量", "次"),
    ("units_published", "发布房源", "套"),
    ("articles_published", "政策资讯", "篇"),
    ("applications_submitted", "申请提交", "件"),
    ("applications_approved", "审核通过", "件"),
    ("annual_reviews_done", "资格年审完成", "户"),
    ("households_paid_rent", "缴纳租金", "户"),
    ("households_paid_subsidy", "发放补贴", "户"),
    ("feedback_total", "投诉建议与评价", "件"),
]
SECTIONS = [
    ("办理用时与超期", [
        ("decided", "期间内作出决定", "件"),
        ("applications_rejected", "审核不通过", "件"),
        ("average_processing_workdays", "平均办理用时", "工作日"),
        ("median_processing_workdays", "办理用时中位数", "工作日"),
        ("p90_processing_workdays", "办理用时 90% 分位", "工作日"),
        ("overdue_applications", "超期在办申请（截至今天）", "件"),
    ]),
    ("轮候与配租", [
        ("waitlist_size", "轮候户数（截至今天）", "户"),
        ("average_wait_days", "平均轮候天数（截至今天）", "天"),
        ("allocations", "配租户数", "户"),
    ]),
    ("房源", [
        ("units_listed_now", "在线发布房源（截至今天）", "套"),
        ("units_in_stock", "在管房屋（截至今天）", "套"),
        ("units_vacant", "空置可配（截至今天）", "套"),
        ("vacancy_rate", "空置率（截至今天）", "%"),
    ]),
    ("租金与补贴", [
        ("rent_collection_rate", "租金收缴率", "%"),
        ("rent_arrears_amount", "欠缴租金（截至今天）", "元"),
        ("rent_arrears_households", "欠缴户数（截至今天）", "户"),
        ("subsidy_paid_amount", "补贴发放金额", "元"),
    ]),
    ("资格年审与退出", [
        ("annual_reviews_done", "资格年审完成", "户"),
        ("annual_reviews_overdue", "资格年审逾期", "户"),
    ]),
    ("意见反馈", [
        ("feedback_replied", "已答复", "件"),
        ("feedback_overdue", "逾期答复或逾期未答复", "件"),
        ("ratings", "服务评价", "条"),
        ("average_rating", "平均评分（1–5）", "分"),
    ]),
]
FIGURE_LABELS = {name: label for name, label, _unit in BUREAU_FIGURES + [f for _t, fs in SECTIONS for f in fs]}

NOTE_LABELS = {"processing_workdays": "办理用时", "feedback_received": "投诉建议", "exits_by_ground": "退出",
               "units_published": "发布房源", "vacancy_rate": "空置率"}


def labelled_notes(notes: dict) -> list:
    """[(Chinese label, note)] in the report's order."""
    return [(NOTE_LABELS.get(name) or FIGURE_LABELS.get(name, name), note) for name, note in notes.items()]


# The district comparison: the figures compared side by side (the chart draws the first two as bars).
COMPARED = ["applications_submitted", "applications_approved", "average_processing_workdays",
            "p90_processing_workdays", "overdue_applications", "units_published", "vacancy_rate", "waitlist_size",
            "rent_collection_rate", "subsidy_paid_amount", "feedback_total", "average_rating"]
COMPARED_LABELS = {"average_processing_workdays": "平均用时（工作日）", "p90_processing_workdays": "90% 分位（工作日）",
                   "vacancy_rate": "空置率（%）", "rent_collection_rate": "收缴率（%）",
                   "subsidy_paid_amount": "补贴发放（元）", "overdue_applications": "超期在办"}

FEEDBACK_KINDS = {"complaint": "投诉", "suggestion": "建议", "consultation": "咨询", "repair": "报修"}
EXIT_GROUNDS = {"voluntary": "自愿退出", "sublet": "转租转借", "change_of_use": "改变用途", "vacant": "空置满 6 个月",
                "arrears": "累计欠租满 6 个月", "failed_review": "年审不合格", "other_housing": "另购或取得其他住房",
                "illegal_use": "违法使用"}

# Processing time distribution: (label, lowest, highest) in working days; the limit is 15.
BUCKETS = [("0–5", 0, 5), ("6–10", 6, 10), ("11–15", 11, 15), ("16–20", 16, 20), ("21–30", 21, 30),
           ("31 及以上", 31, None)]


@dataclass
class Table:
    key: str
    title: str
    columns: list  # header labels; the first is the row label's
    rows: list = field(default_factory=list)  # [label, value, value, …]; a value None is "暂无数据"
    note: str = ""
    chart: str = ""  # "line", "bar" or "" (a table without a chart)

    def cell(self, value):
        return NO_DATA if value is None else value

    def display_rows(self):
        return [[row[0], *[self.cell(v) for v in row[1:]]] for row in self.rows]

    def chart_data(self, series_columns=None) -> dict:
        """{"categories": row labels, "series": [{"name": column, "data": [numbers]}]} for ECharts: the
        table's own cells (a missing value is null, drawn as a gap)."""
        indexes = series_columns or range(1, len(self.columns))
        return {
            "type": self.chart, "title": self.title,
            "categories": [str(row[0]) for row in self.rows],
            "series": [{"name": self.columns[i], "data": [_number(row[i]) for row in self.rows]} for i in indexes],
        }


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def value_of(figures, name):
    return getattr(figures, name)


def _section_tables(summary: Summary, notes: dict) -> list[Table]:
    total = summary.total
    tables = [Table("bureau", "主要指标（市局年报口径）", ["指标", "数值", "单位"],
                    [[label, value_of(total, name), unit] for name, label, unit in BUREAU_FIGURES],
                    note=notes.get("visits", ""))]
    for index, (title, figures) in enumerate(SECTIONS):
        tables.append(Table(f"section{index}", title, ["指标", "数值", "单位"],
                            [[label, value_of(total, name), unit] for name, label, unit in figures]))
    return tables


def district_table(summary: Summary) -> Table:
    columns = ["区县", *[COMPARED_LABELS.get(name, FIGURE_LABELS.get(name, name)) for name in COMPARED]]
    rows = [[figures.district.name, *[value_of(figures, name) for name in COMPARED]] for figures in summary.districts]
    if len(summary.districts) > 1:
        rows.append(["合计", *[value_of(summary.total, name) for name in COMPARED]])
    return Table("districts", "区县对比", columns, rows, chart="bar" if len(summary.districts) > 1 else "")


def processing_table(summary: Summary) -> Table:
    histogram = summary.total.processing_histogram
    rows = []
    for label, low, high in BUCKETS:
        rows.append([label, sum(n for days, n in histogram.items() if days >= low and (high is None or days <= high))])
    return Table("processing", "办理用时分布（工作日，期间内作出决定的申请）", ["办理用时（工作日）", "申请数"], rows,
                 chart="bar", note="审批时限为 15 个工作日；不含补正和公示期间。")


def feedback_table(summary: Summary) -> Table:
    received = summary.total.feedback_received
    rows = [[label, received.get(kind, 0)] for kind, label in FEEDBACK_KINDS.items()]
    rows += [[kind, n] for kind, n in received.items() if kind not in FEEDBACK_KINDS]
    rows.append(["合计", summary.total.feedback_total])
    return Table("feedback", "投诉建议按类别", ["类别", "件数"], rows)


def exits_table(summary: Summary, notes: dict) -> Table:
    grounds = summary.total.exits_by_ground
    if grounds is None:
        return Table("exits", "退出（按退出原因）", ["退出原因", "户数"], [["全部", None]],
                     note=notes.get("exits_by_ground", ""))
    rows = [[EXIT_GROUNDS.get(ground, ground), n] for ground, n in grounds.items()]
    rows.append(["合计", sum(grounds.values())])
    return Table("exits", "退出（按退出原因）", ["退出原因", "户数"], rows, note=notes.get("exits_by_ground", ""))


def trend_table(trend: Trend) -> Table:
    names = trend.names()
    columns = ["月份", *[trend.labels[name] for name in names]]
    rows = [[f"{month.year}年{month.month}月", *[trend.total(name, month) for name in names]] for month in trend.months]
    return Table("trend", "逐月趋势", columns, rows, chart="line",
                 note="每项为当月合计；访问量、政策资讯为全市。")


def subsidy_table(trend: Trend, notes: dict) -> Table:
    """Subsidies paid per month: from the subsidies app's series when it supplies one."""
    names = [name for name in ("subsidy_paid_amount", "households_paid_subsidy") if name in trend.values]
    if not names:
        return Table("subsidies", "补贴发放（按月）", ["月份", "发放金额（元）"],
                     [[f"{m.year}年{m.month}月", None] for m in trend.months],
                     note=notes.get("subsidy_paid_amount", "租赁补贴发放功能尚未上线，暂无数据。"))
    columns = ["月份", *[trend.labels.get(name, name) for name in names]]
    rows = [[f"{m.year}年{m.month}月", *[trend.total(name, m) for name in names]] for m in trend.months]
    return Table("subsidies", "补贴发放（按月）", columns, rows, chart="bar")


def report_tables(summary: Summary, trend: Trend) -> list[Table]:
    """Every table of the dashboard, in page order."""
    notes = summary.notes
    tables = _section_tables(summary, notes)
    tables += [district_table(summary), trend_table(trend), processing_table(summary), subsidy_table(trend, notes),
               feedback_table(summary), exits_table(summary, notes)]
    return tables


def charts(tables: list[Table]) -> dict:
    """{table key: chart data} for the tables with a chart (the page's json_script)."""
    result = {}
    for table in tables:
        if not table.chart:
            continue
        if table.key == "districts":
            # Bars of submitted and approved per district (the total row would dwarf them).
            data = table.chart_data(series_columns=[1, 2])
            data["categories"] = data["categories"][:-1] if table.rows[-1][0] == "合计" else data["categories"]
            data["series"] = [{**s, "data": s["data"][:len(data["categories"])]} for s in data["series"]]
            result[table.key] = data
        else:
            result[table.key] = table.chart_data()
    return result
