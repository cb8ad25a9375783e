"""Request-wide guards that no single view should have to remember.

- `RefuseNulMiddleware`: a NUL character in the path or a query parameter is never part of a real
  address; Django would hand it on to the database (PostgreSQL raises ValueError: a 500). It is answered
  400 at once, in the API's error shape under /api/ and with the Chinese 400 page elsewhere.
- `NoStoreWhenSignedInMiddleware`: what a signed-in person (or an API client with its token) is shown
  may be personal data; no browser or proxy cache keeps it (`Cache-Control: private, no-store`). A
  response that says for itself that it is public (an estate photo), or already forbids storing, keeps
  its own header.
"""

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from gongzufang import error_pages


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.path_info:
            return error_pages.bad_request_response(
                request, _("请求地址中含有不允许的字符（NUL）。"), fields={"path": [_("含有 NUL 字符。")]}
            )
        try:
            bad = sorted({key for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in value for value in values)})
        except Exception:  # a query string Django cannot even split is just as bad
            bad = ["query"]
        if bad:
            return error_pages.bad_request_response(
                request, _("查询参数中含有不允许的字符（NUL）：%(names)s。") % {"names": "、".join(n.replace("\x00", "") for n in bad)},
                fields={name.replace("\x00", ""): [_("含有 NUL 字符。")] for name in bad},
            )
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF puts a token's user here too
        signed_in = bool(user is not None and getattr(user, "is_authenticated", False))
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            current = response.get("Cache-Control", "")
            if "public" not in current and "no-store" not in current:
                patch_cache_control(response, private=True, no_store=True)
        return response
