"""The department exchange: adapters over real HTTP against the simulated exchange (DESIGN §5)."""

import copy
import hashlib
import json
import subprocess
import sys
import time
import urllib.request

import pytest

from applications.crosscheck.exchange import (
    ExchangeClient,
    ExchangeUnavailable,
    HukouAdapter,
    Outcome,
    materials_supplied_online,
    verify_identity,
)
from applications.crosscheck.exchange.simulated import SimulatedExchange, load_records, wait_until_up
from tests.applications.conftest import (
    CHEN_HAO_GARBAGE,
    LI_MING,
    NOT_IN_HUKOU,
    WANG_LI,
    ZHOU_DE_DECEASED,
)


def test_a_registered_person_passes_with_facts_and_a_reply_hash(exchange):
    result = HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]]
    assert result.status == Outcome.PASS and result.passed
    assert result.facts["name"] == "王丽"
    assert result.facts["hukou_district"] == "230602"
    assert len(result.reply_hash) == 64
    assert result.queried_at is not None
    assert result.department == "hukou"


def test_the_reply_hash_is_the_hash_of_the_raw_reply(exchange):
    body = json.dumps({"id_numbers": [WANG_LI[1]]}).encode()
    request = urllib.request.Request(f"{exchange.url}/departments/hukou/query", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=2) as response:
        raw = response.read()
    assert HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]].reply_hash == hashlib.sha256(raw).hexdigest()


def test_a_batch_gets_one_result_per_distinct_id(exchange):
    results = HukouAdapter().query([WANG_LI[1], LI_MING[1], WANG_LI[1], NOT_IN_HUKOU])
    assert set(results) == {WANG_LI[1], LI_MING[1], NOT_IN_HUKOU}
    assert exchange.requests == 1


def test_no_record_is_unknown_never_pass(exchange):
    result = HukouAdapter().query([NOT_IN_HUKOU])[NOT_IN_HUKOU]
    assert result.status == Outcome.UNKNOWN and not result.passed
    assert result.reason == "部门无此人记录"


def test_a_deceased_registration_fails(exchange):
    result = HukouAdapter().query([ZHOU_DE_DECEASED[1]])[ZHOU_DE_DECEASED[1]]
    assert result.status == Outcome.FAIL
    assert result.facts["status"] == "deceased"


def test_identity_matches_on_name_and_number(exchange):
    assert verify_identity("王丽", WANG_LI[1]).outcome == Outcome.PASS
    assert verify_identity("王 丽", WANG_LI[1]).outcome == Outcome.PASS


def test_identity_mismatch_fails_without_telling_the_registered_name(exchange):
    check = verify_identity("王莉", WANG_LI[1])
    assert check.outcome == Outcome.FAIL
    assert "不一致" in check.message
    assert "王丽" not in check.message


def test_a_timeout_is_unknown(exchange, settings):
    settings.EXCHANGE_TIMEOUT_SECONDS = 0.3
    exchange.latency_ms = 2000
    started = time.monotonic()
    result = HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]]
    assert time.monotonic() - started < 1.5
    assert result.status == Outcome.UNKNOWN
    assert "超时" in result.reason


def test_a_record_that_hangs_is_unknown(exchange, settings):
    settings.EXCHANGE_TIMEOUT_SECONDS = 0.3
    exchange.add("hukou", LI_MING[1], {"name": "李明", "status": "normal", "simulate": "timeout"})
    assert HukouAdapter().query([LI_MING[1]])[LI_MING[1]].status == Outcome.UNKNOWN


def test_a_5xx_is_unknown(exchange):
    exchange.failure_rate = 1.0
    result = HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]]
    assert result.status == Outcome.UNKNOWN
    assert "503" in result.reason
    assert verify_identity("王丽", WANG_LI[1]).outcome == Outcome.UNKNOWN


def test_a_500_for_one_record_makes_its_batch_unknown(exchange):
    exchange.add("hukou", LI_MING[1], {"name": "李明", "status": "normal", "simulate": "error"})
    results = HukouAdapter().query([WANG_LI[1], LI_MING[1]])
    assert {r.status for r in results.values()} == {Outcome.UNKNOWN}


def test_garbage_is_unknown(exchange):
    result = HukouAdapter().query([CHEN_HAO_GARBAGE[1]])[CHEN_HAO_GARBAGE[1]]
    assert result.status == Outcome.UNKNOWN
    assert "格式错误" in result.reason
    assert result.reply_hash  # the garbage is still hashed, for the record


@pytest.mark.parametrize("body", [
    b"[]",
    b'{"department": "vehicles", "results": []}',
    b'{"department": "hukou", "results": [{"id_number": 5}]}',
    b'{"department": "hukou", "results": [{"id_number": "x", "found": "yes"}]}',
])
def test_well_formed_json_of_the_wrong_shape_is_unknown(settings, body):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        settings.EXCHANGE_URL = f"http://127.0.0.1:{httpd.server_address[1]}"
        assert HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]].status == Outcome.UNKNOWN
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_record_with_missing_fields_is_unknown(exchange):
    exchange.add("hukou", LI_MING[1], {"hukou_district": "230602"})
    assert HukouAdapter().query([LI_MING[1]])[LI_MING[1]].status == Outcome.UNKNOWN


def test_nobody_listening_is_unknown(settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.EXCHANGE_URL = f"http://127.0.0.1:{port}"
    result = HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]]
    assert result.status == Outcome.UNKNOWN
    assert "无法连接" in result.reason


def test_rows_about_people_not_asked_are_ignored(exchange):
    with ExchangeClient(exchange.url) as client:
        reply = client.query("hukou", [WANG_LI[1]])
    assert set(reply.rows) == {WANG_LI[1]}


def test_the_hukou_department_supplies_identity_and_hukou_materials():
    assert {"identity", "hukou_or_residence"} <= materials_supplied_online()


def test_the_simulated_exchange_rejects_bad_requests(exchange):
    request = urllib.request.Request(f"{exchange.url}/departments/hukou/query", data=b"not json",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=2)
    assert err.value.code == 400


def test_failure_rate_is_a_proportion():
    with pytest.raises(ValueError):
        SimulatedExchange({}, failure_rate=1.5)


def test_the_run_exchange_command_serves_over_http():
    import socket

    from django.conf import settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_exchange", "--port", str(port), "--latency-ms", "5",
         "--generate"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, timeout=20)
        with ExchangeClient(url, timeout=2) as client:
            results = HukouAdapter(client).query([WANG_LI[1], NOT_IN_HUKOU])
        assert results[WANG_LI[1]].status == Outcome.PASS and results[WANG_LI[1]].facts["name"] == "王丽"
        assert results[NOT_IN_HUKOU].status == Outcome.PASS  # --generate: a benign record for anyone
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_an_outage_that_clears(exchange):
    exchange.fail_next = 2
    assert [HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]].status for _ in range(3)] == [
        Outcome.UNKNOWN, Outcome.UNKNOWN, Outcome.PASS]


def test_an_outage_is_transient_and_no_record_is_not(exchange):
    assert not HukouAdapter().query([NOT_IN_HUKOU])[NOT_IN_HUKOU].transient
    exchange.failure_rate = 1.0
    assert HukouAdapter().query([WANG_LI[1]])[WANG_LI[1]].transient


def test_the_exchange_counts_requests_per_department(exchange):
    from applications.crosscheck.exchange import adapter_for

    adapter_for("tax").query([WANG_LI[1]])
    adapter_for("tax").query([LI_MING[1]])
    adapter_for("death").query([WANG_LI[1]])
    assert dict(exchange.requests_by_department) == {"tax": 2, "death": 1}


def test_a_client_keeps_one_connection_per_thread_between_queries(exchange):
    client = ExchangeClient(exchange.url)
    connections = exchange.connections
    for _ in range(5):
        assert client.query("hukou", [WANG_LI[1]]).rows[WANG_LI[1]]["found"]
    assert exchange.connections == connections + 1
    client.close()
    client.query("hukou", [WANG_LI[1]])
    assert exchange.connections == connections + 2  # closed: the next query connects again
    client.close()


def test_a_kept_connection_to_a_stopped_exchange_is_not_answered_by_it(settings):
    """A query on a connection kept from an exchange since stopped reaches the one now listening."""
    old = SimulatedExchange(copy.deepcopy(load_records()), port=0).start()
    port = old.httpd.server_address[1]
    client = ExchangeClient(old.url)
    assert client.query("hukou", [WANG_LI[1]]).rows[WANG_LI[1]]["found"]
    old.stop()
    new = SimulatedExchange({"hukou": {}}, port=port).start()
    try:
        reply = client.query("hukou", [WANG_LI[1]])  # the new one knows nobody
        assert reply.rows[WANG_LI[1]]["found"] is False
        assert new.requests == 1
    finally:
        client.close()
        new.stop()


def test_a_kept_connection_to_an_exchange_gone_is_unknown_not_an_error(settings):
    gone = SimulatedExchange(copy.deepcopy(load_records()), port=0).start()
    client = ExchangeClient(gone.url, timeout=2)
    client.query("hukou", [WANG_LI[1]])
    gone.stop()
    with pytest.raises(ExchangeUnavailable, match="无法连接交换平台"):
        client.query("hukou", [WANG_LI[1]])
    client.close()


def test_a_reply_too_large_to_read_whole_is_refused_and_its_connection_not_kept(exchange, monkeypatch):
    from applications.crosscheck.exchange import client as client_module

    with ExchangeClient(exchange.url) as client:
        monkeypatch.setattr(client_module, "MAX_REPLY_BYTES", 50)
        with pytest.raises(ExchangeUnavailable, match="应答过大"):
            client.query("hukou", [WANG_LI[1]])
        monkeypatch.undo()
        connections = exchange.connections
        assert client.query("hukou", [WANG_LI[1]]).rows[WANG_LI[1]]["found"]  # answered whole, not the rest
        assert exchange.connections == connections + 1  # on a new connection


def test_a_client_closed_and_used_again_reconnects_and_an_outage_is_still_unknown(settings):
    gone = SimulatedExchange(copy.deepcopy(load_records()), port=0).start()
    client = ExchangeClient(gone.url, timeout=2)
    client.query("hukou", [WANG_LI[1]])
    client.close()
    assert client.query("hukou", [WANG_LI[1]]).rows[WANG_LI[1]]["found"]  # reconnected after close()
    client.close()
    gone.stop()
    with pytest.raises(ExchangeUnavailable, match="无法连接交换平台"):  # not a ValueError from the bookkeeping
        client.query("hukou", [WANG_LI[1]])
    client.close()
