"""/admin/statistics/ (issue 17): the bureau's figures for a period and a district, as a caseworker opens them
each morning — scoped like everything else (another district's id is 404), the charts drawing the tables'
own numbers, the Excel files opening with the same numbers, the figures with no source yet "暂无数据" (never
0), visits counted without waiting for the flush, and a fixed number of queries whatever the months."""

import io
import json
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from gongzufang import statistics, visits
from gongzufang.models import DailyVisit, District
from gongzufang.statistics_tables import NO_DATA
from tests import factories
from tests.applications import builders
from tests.applications.review_builders import rejected
from tests.housing import factories as housing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_report_cache(monkeypatch):
    """Each request computes its figures (the minute's cache is tested on its own below)."""
    from gongzufang.dashboard import views

    monkeypatch.setattr(views, "CACHE_SECONDS", 0)

URL = "/admin/statistics/"


def logged_in(client, user):
    client.force_login(user)
    return client


def charts_of(response) -> dict:
    found = re.search(r'<script id="statistics-charts" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert found, "the page carries its charts' data"
    return json.loads(found.group(1))


def table_rows(response, key):
    return response.context["tables"][key].display_rows()


@pytest.fixture
def activity(db, carol):
    """Today: in 萨尔图区 two applications submitted, one rejected by the street clerk (decided), two units
    published and one vacant; in 龙凤区 one application submitted and one unit."""
    rejected(builders.submitted(), carol)
    builders.submitted()
    builders.submitted(street=factories.first_street("230603"))
    housing.stock("230602", units=2, published=True)
    housing.stock("230603", units=1, published=True)


def test_a_district_caseworker_sees_only_their_district(client, dave, activity):
    response = logged_in(client, dave).get(URL)
    assert response.status_code == 200
    assert [d.code for d in response.context["district_choices"]] == ["230602"]
    summary = response.context["summary"]
    assert [f.district.code for f in summary.districts] == ["230602"]
    assert summary.total.applications_submitted == 2
    assert table_rows(response, "districts")[0][:3] == ["萨尔图区", 2, 0]
    assert "龙凤区" not in response.content.decode()


def test_another_districts_id_in_the_address_is_refused(client, dave, district_b, activity):
    client = logged_in(client, dave)
    assert client.get(URL, {"district": district_b.pk}).status_code == 404
    assert client.get(f"{URL}export/all.xlsx", {"district": district_b.pk}).status_code == 404
    assert client.get(f"{URL}export/processing.xlsx", {"district": district_b.pk}).status_code == 404
    assert client.get(URL, {"district": "abc"}).status_code == 404


def test_a_city_caseworker_sees_every_district_each_one_and_the_total(client, chen, district_b, activity):
    client = logged_in(client, chen)
    response = client.get(URL)
    rows = table_rows(response, "districts")
    assert len(rows) == District.objects.count() + 1 and rows[-1][0] == "合计"
    by_name = {row[0]: row for row in rows}
    assert by_name["萨尔图区"][1] == 2 and by_name["龙凤区"][1] == 1 and by_name["合计"][1] == 3
    one = client.get(URL, {"district": district_b.pk})
    assert [f.district.code for f in one.context["summary"].districts] == ["230603"]
    assert one.context["summary"].total.applications_submitted == 1


def test_a_street_clerk_sees_their_streets_applications_and_no_feedback(client, carol, activity):
    other_street = factories.first_street("230602").district.streets.exclude(pk=carol.street_id).first()
    if other_street is not None:
        builders.submitted(street=other_street)
    response = logged_in(client, carol).get(URL)
    assert response.status_code == 200
    assert response.context["summary"].total.applications_submitted == 2  # not the other street's


def test_anyone_not_staff_is_sent_to_log_in(client, alice):
    assert client.get(URL).status_code == 302
    response = logged_in(client, alice).get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.fixture
def first_half_only(monkeypatch):
    """Only the first half's providers (applications, housing, complaints): the later apps' figures are then
    missing, as they were before those apps landed."""
    kept = [p for p in statistics.PROVIDERS if p.__module__.split(".")[0] in {"applications", "housing", "complaints"}]
    monkeypatch.setattr(statistics, "PROVIDERS", kept)


def test_the_nine_figures_are_shown_and_those_without_a_source_say_no_data(client, chen, activity, first_half_only):
    response = logged_in(client, chen).get(URL)
    bureau = {row[0]: row[1] for row in table_rows(response, "bureau")}
    assert list(bureau) == ["访问量", "发布房源", "政策资讯", "申请提交", "审核通过", "资格年审完成", "缴纳租金",
                            "发放补贴", "投诉建议与评价"]
    assert bureau["申请提交"] == 3 and bureau["发布房源"] == 3
    assert bureau["资格年审完成"] == NO_DATA  # issue 16 not built: never 0
    exits = table_rows(response, "exits")
    assert exits == [["全部", NO_DATA]]
    assert 'class="gzf-no-data">暂无数据</td>' in response.content.decode()
    sections = {row[0]: row[1] for key, table in response.context["tables"].items() if key.startswith("section")
                for row in table.display_rows()}
    assert sections["资格年审逾期"] == NO_DATA
    assert sections["在管房屋（截至今天）"] == 3 and sections["空置率（截至今天）"] == 100


def test_processing_time_has_average_median_and_90th_percentile(client, chen, district_a):
    made = [builders.submitted() for _ in range(4)]
    now = timezone.now()
    for app, days in zip(made, (3, 8, 12, 20), strict=True):
        Application.objects.filter(pk=app.pk).update(status="rejected", decided_at=now, processing_workdays=days)
    response = logged_in(client, chen).get(URL)
    total = response.context["summary"].total
    assert total.decided == 4
    assert str(total.average_processing_workdays) == "10.75"
    assert str(total.median_processing_workdays) == "10.00"
    assert str(total.p90_processing_workdays) == "17.60"  # percentile_cont(0.9): 12 + 0.7 × 8
    distribution = dict(table_rows(response, "processing"))
    assert distribution == {"0–5": 1, "6–10": 1, "11–15": 1, "16–20": 1, "21–30": 0, "31 及以上": 0}


def test_the_charts_draw_the_tables_numbers(client, chen, activity):
    response = logged_in(client, chen).get(URL, {"period": "year"})
    charts = charts_of(response)
    trend = response.context["tables"]["trend"]
    assert charts["trend"]["categories"] == [row[0] for row in trend.rows]
    for index, series in enumerate(charts["trend"]["series"], start=1):
        assert series["name"] == trend.columns[index]
        assert series["data"] == [row[index] for row in trend.rows]
    month = timezone.localdate().month
    submitted = next(s for s in charts["trend"]["series"] if s["name"] == "申请提交")
    assert submitted["data"][month - 1] == 3 and sum(submitted["data"]) == 3
    districts = response.context["tables"]["districts"]
    assert charts["districts"]["categories"] == [row[0] for row in districts.rows[:-1]]
    assert charts["districts"]["series"][0]["data"] == [row[1] for row in districts.rows[:-1]]
    processing = response.context["tables"]["processing"]
    assert charts["processing"]["series"][0]["data"] == [row[1] for row in processing.rows]


def test_the_excel_file_has_the_tables_numbers(client, chen, activity):
    client = logged_in(client, chen)
    response = client.get(URL)
    table = response.context["tables"]["districts"]
    download = client.get(f"{URL}export/districts.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[1] == table.columns
    body = rows[2:2 + len(table.rows)]
    assert [[NO_DATA if v is None else v for v in r] for r in body] == [
        [float(v) if hasattr(v, "as_tuple") else v for v in r] for r in table.display_rows()]


def test_the_whole_report_downloads_one_sheet_per_table(client, dave, activity, first_half_only):
    client = logged_in(client, dave)
    tables = client.get(URL).context["tables"]
    download = client.get(f"{URL}export/all.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert len(book.worksheets) == len(tables)
    bureau = [list(r) for r in book["主要指标（市局年报口径）"].iter_rows(values_only=True)]
    assert bureau[0][0].startswith("主要指标（市局年报口径）（萨尔图区，")
    exits = [list(r) for r in book["退出（按退出原因）"].iter_rows(values_only=True)]
    assert ["全部", NO_DATA] in exits  # "暂无数据" in the file too, never 0
    assert ["申请提交", 2, "件"] in bureau
    assert client.get(f"{URL}export/nothing.xlsx").status_code == 404


def test_the_processing_detail_lists_each_decided_application(client, dave, carol, activity):
    download = logged_in(client, dave).get(f"{URL}export/processing.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("申请编号", "区县", "结论", "受理日期", "决定日期", "办理用时（工作日）")
    decided = Application.objects.get(status="rejected")
    assert len(rows) == 2 and rows[1][0] == decided.number and rows[1][1] == "萨尔图区"
    assert rows[1][5] == decided.processing_workdays


@pytest.mark.parametrize("query, label, start, end", [
    ({"period": "month", "year": "2026", "month": "2"}, "2026年2月", date(2026, 2, 1), date(2026, 2, 28)),
    ({"period": "quarter", "year": "2026", "quarter": "4"}, "2026年第4季度", date(2026, 10, 1), date(2026, 12, 31)),
    ({"period": "year", "year": "2025"}, "2025年", date(2025, 1, 1), date(2025, 12, 31)),
    ({"period": "custom", "start": "2026-03-05", "end": "2026-04-10"}, "2026-03-05 至 2026-04-10",
     date(2026, 3, 5), date(2026, 4, 10)),
])
def test_the_period_picker(client, dave, query, label, start, end):
    response = logged_in(client, dave).get(URL, query)
    assert response.status_code == 200
    assert (response.context["period"].label, response.context["summary"].start,
            response.context["summary"].end) == (label, start, end)


def test_a_wrong_custom_period_is_explained_in_chinese(client, dave):
    response = logged_in(client, dave).get(URL, {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "截止日期不能早于起始日期。" in response.content.decode()


def test_visits_are_counted_without_waiting_for_the_flush(client, dave):
    today = timezone.localdate()
    DailyVisit.objects.create(day=today, kind="home", count=10)
    DailyVisit.objects.create(day=today - timedelta(days=1), kind="guide", count=5)
    for _ in range(3):
        visits.record("home")  # in the cache's counter; the five-minute flush has not run
    response = logged_in(client, dave).get(URL)
    bureau = {row[0]: row[1] for row in table_rows(response, "bureau")}
    assert bureau["访问量"] == 13 + (5 if today.day > 1 else 0)
    page = response.content.decode()
    assert re.search(r"访问量截至 <span id=\"visits-as-of\">\d\d:\d\d</span>", page)
    visits.flush()
    again = logged_in(client, dave).get(URL)
    assert {row[0]: row[1] for row in table_rows(again, "bureau")}["访问量"] == bureau["访问量"]  # not counted twice


def test_the_dashboard_is_linked_from_the_admin(client, dave):
    page = logged_in(client, dave).get("/admin/").content.decode()
    assert f'href="{URL}"' in page


def _queries(client, query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_months_or_districts(client, chen, activity):
    client = logged_in(client, chen)
    # A closed month, as the year's months before this one: both read the monthly aggregate (ADR 0016).
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    one_month = _queries(client, {"period": "month", "year": last_month.year, "month": last_month.month})
    twelve_months = _queries(client, {"period": "year", "year": last_month.year})
    one_district = _queries(client, {"period": "year", "district": District.objects.get(code="230602").pk})
    assert one_month == twelve_months
    assert one_district == twelve_months + 1  # the chosen district's look-up; nine districts cost no more


def test_a_trend_is_one_query_per_figure_whatever_the_months(chen, activity):
    def count(start, end):
        with CaptureQueriesContext(connection) as captured:
            statistics.trend(start=start, end=end, principal=chen)
        return len(captured)

    assert count(date(2026, 11, 1), date(2026, 11, 30)) == count(date(2025, 1, 1), date(2026, 12, 31))


def test_the_report_is_kept_a_minute_for_the_same_scope_and_period(client, dave, bob, monkeypatch):
    from gongzufang.dashboard import views

    monkeypatch.setattr(views, "CACHE_SECONDS", 60)
    builders.submitted()
    client = logged_in(client, dave)
    assert client.get(URL).context["summary"].total.applications_submitted == 1
    builders.submitted()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL)
    assert again.context["summary"].total.applications_submitted == 1  # the minute's figures
    assert not [q for q in captured if "applications_application" in q["sql"]]
    assert logged_in(client, bob).get(URL).context["summary"].districts[0].district.code == "230603"
    assert logged_in(client, dave).get(URL, {"period": "year"}).context["summary"].total.applications_submitted == 2
