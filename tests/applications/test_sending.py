"""Sending a run's batches from a process of its own (applications/crosscheck/sending.py): the child
answers as threads in this process would, over real HTTP to the simulated exchange; it dates answers by
its caller's clock; a child that dies, fails a batch or cannot start is told apart, never silently lost."""

import json
import os
import signal
import sys
from datetime import date

import pytest
from django.utils import timezone

from applications.crosscheck import answers
from applications.crosscheck.exchange import HukouAdapter
from applications.crosscheck.exchange.departments import DeathAdapter
from applications.crosscheck.sending import ProcessSender, SenderGone, ThreadSender, sender_for_run
from tests.applications.conftest import CHEN_HAO_GARBAGE, LI_MING, NOT_IN_HUKOU, WANG_LI, ZHOU_DE_DECEASED
from tests.helpers import at


class ChattyHukou(HukouAdapter):
    """Prints while it evaluates: what a child prints must not get into the answers' frames."""

    def evaluate(self, record):
        print("evaluating", record.get("name"))
        sys.stdout.flush()
        return super().evaluate(record)


class BrokenHukou(HukouAdapter):
    def evaluate(self, record):
        raise RuntimeError("适配器缺陷")


PEOPLE = [WANG_LI[1], LI_MING[1], ZHOU_DE_DECEASED[1], NOT_IN_HUKOU]


def _without_time(said):
    return {n: s[:answers.QUERIED_AT] for n, s in said.items()}


def test_the_child_answers_as_threads_do_and_dates_answers_by_the_callers_clock(exchange):
    with ThreadSender() as threads:
        expected = {
            "hukou": threads.submit(HukouAdapter(), PEOPLE).result(),
            "death": threads.submit(DeathAdapter(), PEOPLE).result(),
            "garbage": threads.submit(HukouAdapter(), [CHEN_HAO_GARBAGE[1], WANG_LI[1]]).result(),
        }
    assert expected["hukou"][WANG_LI[1]][answers.STATUS] == "pass"
    assert expected["hukou"][ZHOU_DE_DECEASED[1]][answers.STATUS] == "fail"
    assert expected["hukou"][NOT_IN_HUKOU][answers.STATUS] == "unknown"
    assert expected["garbage"][WANG_LI[1]][answers.TRANSIENT] is True
    asked_before = exchange.requests

    with at(date(2031, 3, 9)), ProcessSender() as child:
        assert child.pid != os.getpid()
        got = {
            "hukou": child.submit(HukouAdapter(), PEOPLE),
            "death": child.submit(DeathAdapter(), PEOPLE),
            "garbage": child.submit(HukouAdapter(), [CHEN_HAO_GARBAGE[1], WANG_LI[1]]),
        }
        got = {k: f.result(timeout=30) for k, f in got.items()}
        travelled = timezone.now()
    assert {k: _without_time(v) for k, v in got.items()} == {k: _without_time(v) for k, v in expected.items()}
    assert {s[answers.QUERIED_AT] for v in got.values() for s in v.values()} == {travelled}
    assert exchange.requests == asked_before + 3  # the child asked the exchange itself, once a batch
    status, reason, facts_json, digest, *_ = got["hukou"][WANG_LI[1]]
    assert digest == answers.answer_digest(status, json.loads(facts_json), reason)


def test_what_the_child_prints_does_not_get_into_its_answers(exchange, capfd):
    with ProcessSender() as child:
        said = child.submit(ChattyHukou(), [WANG_LI[1], LI_MING[1]]).result(timeout=30)
    assert {s[answers.STATUS] for s in said.values()} == {"pass"}
    assert "evaluating 王丽" in capfd.readouterr().err  # (sent to stderr, beside the child's logs)


def test_a_batch_that_fails_in_the_child_fails_its_future_and_the_child_goes_on(exchange):
    with ProcessSender() as child:
        broken = child.submit(BrokenHukou(), [WANG_LI[1]])
        fine = child.submit(HukouAdapter(), [WANG_LI[1]])
        with pytest.raises(SenderGone, match="查询进程出错：RuntimeError: 适配器缺陷"):
            broken.result(timeout=30)
        assert fine.result(timeout=30)[WANG_LI[1]][answers.STATUS] == "pass"


def test_a_killed_child_fails_what_it_had_and_refuses_more(exchange):
    exchange.latency_ms = 3000  # the batch is still at the exchange when the child dies
    with ProcessSender() as child:
        pending = child.submit(HukouAdapter(), [WANG_LI[1]])
        os.kill(child.pid, signal.SIGKILL)
        with pytest.raises(SenderGone, match="查询进程意外退出"):
            pending.result(timeout=30)
        with pytest.raises(SenderGone, match="查询进程意外退出"):
            child.submit(HukouAdapter(), [LI_MING[1]])


def test_a_child_that_cannot_start_leaves_the_run_to_threads(exchange, monkeypatch, caplog):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "no_such_settings_module")
    with pytest.raises(SenderGone, match="查询进程启动失败"):
        ProcessSender()
    with sender_for_run([HukouAdapter()]) as sender:
        assert isinstance(sender, ThreadSender)
        assert sender.submit(HukouAdapter(), [WANG_LI[1]]).result()[WANG_LI[1]][answers.STATUS] == "pass"
    assert "sending from threads" in caplog.text


def test_adapters_the_child_cannot_import_are_sent_from_threads(exchange, settings):
    class LocalHukou(HukouAdapter):
        pass

    with sender_for_run([HukouAdapter(), LocalHukou()]) as sender:
        assert isinstance(sender, ThreadSender)
    with sender_for_run([HukouAdapter()]) as sender:
        assert isinstance(sender, ProcessSender)
    settings.CROSSCHECK_SENDER_PROCESS = False
    with sender_for_run([HukouAdapter()]) as sender:
        assert isinstance(sender, ThreadSender)


def test_a_stop_kills_the_child_instead_of_waiting_for_its_batches(exchange):
    exchange.latency_ms = 5000
    with pytest.raises(RuntimeError, match="停止"), ProcessSender() as child:
        child.submit(HukouAdapter(), [WANG_LI[1]])
        pid = child.pid
        raise RuntimeError("停止")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone (and reaped)
