"""Text messages (短信) through a pluggable backend chosen by `settings.SMS_BACKEND`.

    send_sms(phone="13800000000", text="…", purpose="status", sensitive=False)

Every message is recorded in `SmsOutbox` (with the text of sensitive messages hidden unless the
backend is the development one).

Backends:
- `OutboxSmsBackend` (development and tests): writes to the log; the outbox row is the message.
- `HttpSmsBackend` (production): a JSON POST to the SMS gateway. The interface the gateway must offer:

      POST {SMS_HTTP_URL}
      Authorization: Bearer {SMS_HTTP_TOKEN}
      {"phone": "13800000000", "text": "【大庆市公租房】…", "sign": "大庆市公租房"}
      → 200 {"ok": true, "id": "<gateway message id>"}
      → anything else is a failure (recorded; verification codes tell the person to try again).

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
    pass


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
    return import_string(getattr(settings, "SMS_BACKEND", "applications.sms.OutboxSmsBackend"))()


def send_sms(*, phone: str, text: str, purpose: str = "", sensitive: bool = False):
    """Send one message and record it; returns the SmsOutbox row (`ok` False if sending failed)."""
    from applications.models import SmsOutbox

    backend = get_backend()
    text = text if text.startswith(SIGN) else SIGN + text
    row = SmsOutbox(phone=phone, purpose=purpose[:24], backend=backend.name[:40],
                    text=text if (backend.keeps_sensitive_text or not sensitive) else "（验证码短信，内容不留存）")
    try:
        row.provider_id = backend.send(phone, text) or ""
    except SmsSendError as exc:
        row.ok, row.error = False, str(exc)[:200]
        logger.warning("SMS to %s failed: %s", phone, exc)
    row.save()
    return row
