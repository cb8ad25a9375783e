"""Caseworker screens speak Chinese: status changes by their names, an unreachable exchange in words
(issue 12, item 22)."""

import socket

import pytest

from applications.crosscheck.exchange.client import ExchangeClient, ExchangeUnavailable
from applications.models import ApplicationStatusChange
from complaints.models import FeedbackStatusChange


def test_a_status_change_reads_by_the_statuses_names():
    assert str(ApplicationStatusChange(from_status="draft", to_status="submitted")) == "填写中 → 已提交，待受理"
    assert str(ApplicationStatusChange(from_status="", to_status="approved")) == "— → 审核通过"
    assert str(FeedbackStatusChange(from_status="submitted", to_status="replied")) == "待答复 → 已答复"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nobody listens there


def test_an_exchange_that_refuses_the_connection_is_explained_without_an_exception_name():
    client = ExchangeClient(f"http://127.0.0.1:{_closed_port()}", timeout=2)
    with pytest.raises(ExchangeUnavailable) as excinfo:
        client.query("vehicles", ["230602199003070011"])
    assert "连接被拒绝" in excinfo.value.reason
    assert "Error" not in excinfo.value.reason
