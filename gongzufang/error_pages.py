"""The portal's 400, 403, 404 and 500 answers (handler400… in gongzufang/urls.py), in Chinese.

People get a page in the portal's frame (templates/400.html …); anything under /api/ gets the API's
one error shape `{"code", "message", "fields"}` (gongzufang/api/errors.py), also for addresses no
route matches (`/api/v1/applications/0.5/`) and for a server error inside a view. They work with
DEBUG off, which is when Django uses them.
"""

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"

MESSAGES = {
    400: ("invalid", "请求有误，无法处理。"),
    403: ("permission_denied", "没有权限执行此操作。"),
    404: ("not_found", "未找到。"),
    500: ("server_error", "服务器内部错误，请稍后重试；问题已记录，我们会尽快处理。"),
}


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(status, *, message=None, fields=None, code=None):
    default_code, default_message = MESSAGES[status]
    body = {"code": code or default_code, "message": message or _(default_message), "fields": fields or {}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _page(request, status, template, context=None):
    try:
        body = loader.render_to_string(template, context or {}, request=request)
    except Exception:  # the frame itself failed (e.g. during a 500): a plain page still says it in Chinese
        body = loader.render_to_string("500.html")
    return HttpResponse(body, status=status)


def bad_request_response(request, message=None, *, fields=None):
    if is_api(request):
        return api_error_response(400, message=message, fields=fields)
    return _page(request, 400, "400.html", {"message": message})


@requires_csrf_token
def bad_request(request, exception=None):
    return bad_request_response(request)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api(request):
        return api_error_response(403)
    if request.path.startswith("/admin/") and getattr(request, "user", None) and request.user.is_staff:
        from django.contrib import admin

        return _page(request, 403, "admin/403.html", admin.site.each_context(request))
    return _page(request, 403, "403.html")


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api(request):
        return api_error_response(404)
    return _page(request, 404, "404.html")


@requires_csrf_token
def server_error(request):
    if is_api(request):
        return api_error_response(500)
    # No request context: whatever failed (the database, a context processor) must not fail again here.
    return HttpResponse(loader.render_to_string("500.html"), status=500)
