"""The SMS gateway adapter and the outbox: every message recorded, failures too; a gateway failure is
the named error `SmsSendError` (also `SmsGatewayError`); a message with a key goes out once."""

import pytest

from notifications import services
from notifications.models import SmsOutbox
from notifications.sms import SmsGatewayError, SmsSendError

pytestmark = pytest.mark.django_db

PHONE = "13900001111"


def test_the_http_backend_posts_json_and_records_failures(settings):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.headers["Authorization"], json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            ok = received[-1][1]["phone"] != "13900009999"
            body = json.dumps({"ok": ok, "id": "gw-1"}).encode()
            self.send_response(200 if ok else 500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
        settings.SMS_HTTP_URL = f"http://127.0.0.1:{httpd.server_address[1]}/send"
        settings.SMS_HTTP_TOKEN = "t0ken"
        row = services.sms_send(phone=PHONE, text="验证码 123456", purpose="code:login", sensitive=True)
        assert row.ok and row.provider_id == "gw-1"
        assert "123456" not in row.text  # production keeps codes out of the outbox
        assert received[0][0] == "Bearer t0ken"
        assert received[0][1]["text"].startswith("【大庆市公租房】")
        with pytest.raises(SmsSendError) as failure:
            services.sms_send(phone="13900009999", text="你好", purpose="status")
        failed = failure.value.row
        assert not failed.ok and "HTTP 500" in failed.error
        assert SmsOutbox.objects.get(pk=failed.pk).ok is False  # the failure is on record
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_gateway_failure_raises_the_named_error_and_is_recorded(settings):
    settings.SMS_BACKEND = "tests.notifications.gateways.DownGateway"
    assert SmsGatewayError is SmsSendError
    with pytest.raises(SmsGatewayError) as failure:
        services.sms_send(phone=PHONE, text="您的申请已受理。", purpose="status:accepted")
    row = SmsOutbox.objects.get()
    assert row == failure.value.row
    assert (row.ok, row.backend, row.error) == (False, "down", "短信网关不可用（测试）")


def test_an_unconfigured_gateway_is_a_named_error_too(settings):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = ""
    with pytest.raises(SmsSendError, match="未配置"):
        services.sms_send(phone=PHONE, text="你好")


def test_a_message_with_a_key_goes_out_once_however_often_it_is_sent(flaky_gateway):
    first = services.sms_send(phone=PHONE, text="你好", dedup_key="test:1")
    again = services.sms_send(phone=PHONE, text="你好", dedup_key="test:1")
    assert again == first and flaky_gateway.attempts == 1
    assert SmsOutbox.objects.filter(dedup_key="test:1").count() == 1


def test_failed_attempts_with_a_key_are_kept_and_the_next_one_goes_out(flaky_gateway):
    flaky_gateway.failures_left = 1
    with pytest.raises(SmsSendError):
        services.sms_send(phone=PHONE, text="你好", dedup_key="test:2")
    services.sms_send(phone=PHONE, text="你好", dedup_key="test:2")
    assert list(SmsOutbox.objects.filter(dedup_key="test:2").order_by("pk").values_list("ok", flat=True)) == [False, True]


def test_the_database_refuses_a_second_sent_message_with_the_same_key():
    from django.db import IntegrityError, transaction

    SmsOutbox.objects.create(phone=PHONE, text="a", backend="outbox", dedup_key="test:3")
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsOutbox.objects.create(phone=PHONE, text="b", backend="outbox", dedup_key="test:3")


def test_the_backend_setting_may_still_name_the_old_module(settings):
    settings.SMS_BACKEND = "applications.sms.OutboxSmsBackend"
    assert services.sms_send(phone=PHONE, text="你好").backend == "outbox"
