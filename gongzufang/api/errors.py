"""One error shape for the whole API: `{"code": ..., "message": ..., "fields": {...}}`.

Errors raised in a view come through `exception_handler` below; a URL no route matches (a non-integer
id) and a server error are answered in the same shape by gongzufang/error_pages.py.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gongzufang.errors import PortalError

_CODES = {
    400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 415: "unsupported_media_type",
    429: "throttled",
}
_MESSAGES = {404: "未找到。", 401: "未提供有效令牌。"}


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


class FieldNotFound(exceptions.NotFound):
    """A 404 caused by one parameter or body field: the error names it."""

    summary = _MESSAGES[404]

    def __init__(self, field, message):
        self.field = field
        super().__init__(message)


class ReferenceNotFound(FieldNotFound):
    """A body names a record the caller cannot see (missing, or of another district): answered like
    a wrong id in the URL, 404, with the field named."""

    summary = "请求中引用的记录不存在，或不属于本区县。"


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        # A service that finds the record outside the caller's area says so with code not_found:
        # the API answers that as it answers a wrong id.
        status_code = 404 if exc.code == "not_found" else exc.status
        return Response({"code": exc.code, "message": exc.message, "fields": exc.fields}, status=status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "；".join(exc.messages)
        return Response({"code": "invalid", "message": message, "fields": fields}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _CODES.get(response.status_code, "error")
    fields = {}
    if isinstance(exc, FieldNotFound):
        response.data = {"code": code, "message": _(exc.summary), "fields": {exc.field: [str(exc.detail)]}}
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        message = _("提交的数据有误。")
    else:
        message = _MESSAGES.get(response.status_code) or str(getattr(exc, "detail", "")) or _("请求失败。")
    if response.status_code == status.HTTP_401_UNAUTHORIZED and isinstance(exc, exceptions.AuthenticationFailed):
        message = str(exc.detail)
    if isinstance(exc, exceptions.ParseError):
        # DRF's own text is English and quotes the parser ("JSON parse error - Expecting value…").
        code = "parse_error"
        message = _("请求体无法解析：不是有效的 JSON，或与 Content-Type 声明的格式不符。")
    response.data = {"code": code, "message": message, "fields": fields}
    return response


def call_service(service, **kwargs):
    """Run a write service in a savepoint; a unique constraint that two requests raced past (or
    that no serializer checked) becomes a 409 with the constraint's own Chinese message instead of
    a 500, and nothing is saved."""
    from django.db import IntegrityError, transaction

    from gongzufang.errors import ConflictError

    try:
        with transaction.atomic():
            return service(**kwargs)
    except IntegrityError as exc:
        raise ConflictError(_constraint_message(exc)) from None


def _constraint_message(exc) -> str:
    from django.apps import apps

    text = str(exc)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.violation_error_message == constraint.default_violation_error_message:
                continue
            # PostgreSQL names the constraint; SQLite lists its columns as table.column.
            columns = [f"{model._meta.db_table}.{model._meta.get_field(f).column}"
                       for f in getattr(constraint, "fields", ())]
            if constraint.name in text or (columns and all(c in text for c in columns)):
                return str(constraint.get_violation_error_message())
    return _("与已有记录冲突，未保存。")
