"""/admin/statistics/: the bureau's figures for a period and a district, with charts, tables and Excel.

Who sees what is the scoping's (DESIGN §3): a city caseworker every district, each one and the total; a
district caseworker their own; a street clerk their district's row with their street's applications (and
no feedback, which street clerks do not handle). Another district's id in the address answers 404.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from gongzufang import statistics
from gongzufang.db_router import reading_reports
from gongzufang.models import District
from gongzufang.scoping import get_in_scope_or_404, scope_of
from gongzufang.statistics_tables import charts, labelled_notes, report_tables

from . import excel
from .periods import KINDS, chosen_period

NO_SCOPE = "您的账户没有统计范围：统计仅对街道、区县和市级经办人开放。"


def _chosen_districts(request):
    """(the districts the user may choose among, the chosen one or None for all)."""
    if scope_of(request.user).empty:
        raise PermissionDenied(NO_SCOPE)
    choices = list(District.objects.for_user(request.user).order_by("sort_order", "code"))
    raw = request.GET.get("district", "")
    if not raw:
        return choices, None
    return choices, get_in_scope_or_404(request.user, District, raw)


def _query(request, **extra) -> str:
    keys = ("period", "year", "month", "quarter", "start", "end", "district")
    params = {key: request.GET[key] for key in keys if request.GET.get(key)}
    params.update(extra)
    return urlencode(params)


# The report of one scope, period and district is kept this long: caseworkers opening the dashboard each
# morning share one computation a minute (the page says "截至 HH:MM" of the figures it shows).
CACHE_SECONDS = 60


def _figures(user, period, district):
    scope = scope_of(user)
    key = (f"statistics:dashboard:v2:{scope.city_wide}:{scope.district_id}:{scope.street_id}:"
           f"{period.start}:{period.end}:{district.pk if district else ''}:{timezone.localdate()}")
    found = cache.get(key)
    if found is not None:
        return found
    districts = [district] if district else None
    summary, trend = statistics.report(start=period.start, end=period.end, principal=user, districts=districts)
    cache.set(key, (summary, trend), CACHE_SECONDS)
    return summary, trend


def _report(request):
    choices, district = _chosen_districts(request)
    form, period = chosen_period(request.GET)
    if period is None:
        return choices, district, form, None, None, None
    summary, trend = _figures(request.user, period, district)
    return choices, district, form, period, summary, trend


def dashboard(request):
    choices, district, form, period, summary, trend = _report(request)
    context = {
        **admin.site.each_context(request),
        "title": "统计分析",
        "form": form, "period": period, "kinds": KINDS, "district_choices": choices, "district": district,
        "query": _query(request),
    }
    if summary is not None:
        tables = report_tables(summary, trend)
        context.update({
            "summary": summary,
            "tables": {table.key: table for table in tables},
            "section_tables": [t for t in tables if t.key.startswith("section")],
            "chart_data": charts(tables),
            "visits_as_of": timezone.localtime(summary.visits_as_of).strftime("%H:%M"),
            # The as-of-today figures (arrears, overdue, waitlist, units) come from a snapshot (ADR 0016).
            "current_as_of": (timezone.localtime(summary.current_as_of).strftime("%H:%M")
                              if summary.current_as_of else None),
            "notes": labelled_notes(summary.notes),
            "details": statistics.DETAIL_EXPORTS,
        })
    return TemplateResponse(request, "admin/statistics/dashboard.html", context,
                            status=200 if period is not None else 400)


def export(request, key):
    """One table (or `all` of them, one sheet each) as an Excel file; or a row-level export (`details`)."""
    choices, district, form, period, summary, trend = _report(request)
    if period is None:
        raise Http404("统计期间无效。")
    scope_label = district.name if district else ("全市" if len(choices) > 1 else choices[0].name)
    heading = f"{scope_label}，{period.label}"
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if key in statistics.DETAIL_EXPORTS:
        detail = statistics.DETAIL_EXPORTS[key]
        scope = statistics.period_for(start=period.start, end=period.end, principal=request.user,
                                      districts=[district] if district else None, today=summary.today)

        def write_detail(handle):
            with reading_reports():
                excel.write_rows(handle, detail.title, detail.columns, detail.rows(scope))

        return excel.response(f"{detail.title}-{scope_label}-{stamp}.xlsx", write_detail)
    tables = report_tables(summary, trend)
    if key != "all":
        tables = [table for table in tables if table.key == key]
        if not tables:
            raise Http404("没有这张统计表。")
    name = "统计分析" if key == "all" else tables[0].title
    return excel.response(f"{name}-{scope_label}-{stamp}.xlsx",
                          lambda handle: excel.write_tables(handle, tables, heading=heading))


def dashboard_view():
    return admin.site.admin_view(dashboard)


def export_view():
    return admin.site.admin_view(export)
