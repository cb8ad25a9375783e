"""Public pages of the city-wide part: the home page and the five online services."""

from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

# The "five online" services (五个在线) in the order the city presents them. A service whose
# pages are not built yet shows a page that says so rather than a broken link.
SERVICES = [
    {"slug": "info", "name": _("信息浏览"), "desc": _("房源信息、政策资讯与办事指南"), "icon": "房", "ready": True,
     "url_name": "info"},
    {"slug": "apply", "name": _("资格申请"), "desc": _("网上申请公租房或租赁补贴，查询办理进度"), "icon": "申", "ready": True,
     "url_name": "applications:apply_home"},
    {"slug": "rent", "name": _("租金收缴"), "desc": _("租赁合同签约，查询账单，在线缴纳租金"), "icon": "租", "ready": True,
     "url_name": "rent:bills"},
    {"slug": "subsidy", "name": _("补贴发放"), "desc": _("查询租赁补贴发放记录"), "icon": "补", "ready": True,
     "url_name": "subsidies:home"},
    {"slug": "feedback", "name": _("意见反馈"), "desc": _("投诉建议、报修与服务评价"), "icon": "议", "ready": True,
     "url_name": "complaints:home"},
]


@require_GET
def home(request):
    return render(request, "home.html", {"services": SERVICES})


@require_GET
def service_stub(request, service):
    entry = next((s for s in SERVICES if s["slug"] == service), None)
    if entry is None:
        raise Http404
    if entry["ready"]:  # old links to an open service's stub go to the service itself
        return redirect(entry["url_name"])
    return render(request, "service_stub.html", {"service": entry})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
