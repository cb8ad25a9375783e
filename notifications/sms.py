"""The SMS gateway adapter (短信): a pluggable backend chosen by `settings.SMS_BACKEND`. Apps send
through `notifications.services.sms_send`, which records every message in `SmsOutbox` (with the
text of sensitive messages hidden unless the backend is the development one).

Backends:
- `OutboxSmsBackend` (development and tests): writes to the log; the outbox row is the message.
- `HttpSmsBackend` (production): a JSON POST to the SMS gateway. The interface the gateway must offer:

      POST {SMS_HTTP_URL}
      Authorization: Bearer {SMS_HTTP_TOKEN}
      {"phone": "13800000000", "text": "【大庆市公租房】…", "sign": "大庆市公租房"}
      → 200 {"ok": true, "id": "<gateway message id>"}
      → anything else is a failure: recorded, then `SmsSendError` is raised (a notify task retries
        with back-off; a verification code tells the person to try again).

  Timeout `SMS_HTTP_TIMEOUT_SECONDS` (default 5).

A backend is a class with `name` and `send(phone, text) -> provider id`, raising `SmsSendError`.
"""

import http.client
import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SIGN = "【大庆市公租房】"


class SmsSendError(Exception):
    """The gateway did not take the message (unreachable, refused, not configured). `row` is the
    failed `SmsOutbox` record once `sms_send` has written it."""

    row = None


SmsGatewayError = SmsSendError  # the same error under the name used in DESIGN/issue 11


class SmsBackend:
    name = "base"
    keeps_sensitive_text = False

    def send(self, phone: str, text: str) -> str:
        raise NotImplementedError


class OutboxSmsBackend(SmsBackend):
    name = "outbox"
    keeps_sensitive_text = True

    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)
        return ""


class HttpSmsBackend(SmsBackend):
    name = "http"

    def send(self, phone, text):
        url = getattr(settings, "SMS_HTTP_URL", "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SmsSendError("SMS_HTTP_URL 未配置")
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=getattr(settings, "SMS_HTTP_TIMEOUT_SECONDS", 5))
        body = json.dumps({"phone": phone, "text": text, "sign": SIGN.strip("【】")}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {getattr(settings, 'SMS_HTTP_TOKEN', '')}"}
        try:
            conn.request("POST", parts.path or "/", body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read(65536)
        except (OSError, http.client.HTTPException) as exc:
            raise SmsSendError(f"短信网关不可用（{type(exc).__name__}）") from None
        finally:
            conn.close()
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if response.status != 200 or not isinstance(data, dict) or data.get("ok") is not True:
            raise SmsSendError(f"短信网关拒绝（HTTP {response.status}）")
        return str(data.get("id", ""))[:80]


def get_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "") or "notifications.sms.OutboxSmsBackend"
    if path.startswith("applications.sms."):  # the module's old home, still named in some deployments' env
        path = "notifications.sms." + path.rsplit(".", 1)[1]
    return import_string(path)()
