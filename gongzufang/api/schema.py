"""Tells drf-spectacular how API clients authenticate, so the schema documents the token."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "gongzufang.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "区县接口令牌：`Authorization: Token <令牌>`，由 `manage.py issue_api_token` 签发。",
        }


from drf_spectacular.openapi import AutoSchema  # noqa: E402
from rest_framework import serializers  # noqa: E402


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    code = serializers.CharField(help_text="机器可读的错误代码，如 not_found、invalid、permission_denied")
    message = serializers.CharField(help_text="中文错误说明")
    fields = serializers.DictField(help_text="字段级错误：字段名 → 错误列表", required=False)


_ERRORS = {
    "400": "请求参数或数据有误", "401": "未提供令牌、令牌无效或已吊销", "403": "令牌无此权限",
    "404": "未找到（或不属于本区县）", "405": "不支持该方法", "406": "不支持的响应格式",
    "409": "状态冲突", "415": "不支持的请求格式", "429": "请求过于频繁",
}


class PortalAutoSchema(AutoSchema):
    """Documents the error responses every endpoint can give, in the one error shape."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code, description in _ERRORS.items():
            if code not in bodies:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                body["description"] = description
                bodies[code] = body
        return bodies
