"""The objection limit behind the city's reverse proxy (issue 12, item 6): the client address comes
from X-Forwarded-For only when the request comes from a trusted proxy."""

import uuid

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from applications.models import NoticeObjection
from applications.review.notice import OBJECTIONS_PER_HOUR
from gongzufang.client_ip import client_ip
from tests.applications.notice_builders import on_notice

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
TEXT = "该户在市区另有一套住房，长期出租，请核查。"


def send(client, app, n, **headers):
    data = {"token": str(uuid.uuid4()), "name": "李四", "contact": "13912345678", "text": f"{TEXT}（第 {n} 条）"}
    return client.post(reverse("applications:notice_detail", args=[app.number]), data, **headers)


def test_two_clients_behind_the_trusted_proxy_have_separate_limits(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    app = on_notice()
    proxy = Client(REMOTE_ADDR=PROXY)
    for n in range(OBJECTIONS_PER_HOUR):
        assert send(proxy, app, n, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    assert send(proxy, app, 99, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert send(proxy, app, 100, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 302
    assert NoticeObjection.objects.count() == OBJECTIONS_PER_HOUR + 1


def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    app = on_notice()
    direct = Client(REMOTE_ADDR="192.0.2.44")
    for n in range(OBJECTIONS_PER_HOUR):
        assert send(direct, app, n, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 302
    assert send(direct, app, 99, HTTP_X_FORWARDED_FOR="203.0.113.200").status_code == 429


def test_the_helper_takes_the_last_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    rf = RequestFactory()
    # The client put a fake address first; the proxy appended the real one.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.9")
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    assert client_ip(rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "192.0.2.1"
    settings.TRUSTED_PROXIES = []
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.5"
